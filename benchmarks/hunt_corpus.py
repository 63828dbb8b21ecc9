# ruff: noqa: E501  (realistic event templates read better one per line)
"""Deterministic benchmark corpus for ``garrison hunt``: SigmaHQ regression events (converted from their EVTX to
flat JSON) mixed with generated benign Sysmon / Windows Security events with realistic values.

``python benchmarks/hunt_corpus.py [N]`` writes build/hunt-bench/events-N.jsonl (default 1,000,000 events).
The same seed always gives the same bytes.
"""

from __future__ import annotations

import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "data" / "sigma"
OUT = ROOT / "build" / "hunt-bench"
SEED = 20261123
MALICIOUS_SHARE = 0.01  # ≥95% benign: 1% of events are (repeated) regression events

SYSMON = "Microsoft-Windows-Sysmon/Operational"
HOSTS = [f"WS{n:04d}.corp.example.com" for n in range(1, 120)] + [f"SRV-{n:02d}.corp.example.com" for n in range(1, 20)]
USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "svc_backup", "svc_sql"]
SYSTEM_BINS = [
    ("C:\\Windows\\System32\\svchost.exe", "svchost.exe -k netsvcs -p -s {svc}", "C:\\Windows\\System32\\services.exe"),
    (
        "C:\\Windows\\System32\\conhost.exe",
        "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1",
        "C:\\Windows\\System32\\cmd.exe",
    ),
    ("C:\\Windows\\System32\\taskhostw.exe", "taskhostw.exe {{{guid}}}", "C:\\Windows\\System32\\svchost.exe"),
    (
        "C:\\Windows\\System32\\RuntimeBroker.exe",
        "C:\\Windows\\System32\\RuntimeBroker.exe -Embedding",
        "C:\\Windows\\System32\\svchost.exe",
    ),
    (
        "C:\\Windows\\System32\\SearchProtocolHost.exe",
        '"C:\\Windows\\system32\\SearchProtocolHost.exe" Global\\UsGthrFltPipeMssGthrPipe{n}',
        "C:\\Windows\\System32\\SearchIndexer.exe",
    ),
    (
        "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
        '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=renderer --lang=en-US --renderer-client-id={n}',
        "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
    ),
    (
        "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
        '"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE"',
        "C:\\Windows\\explorer.exe",
    ),
    (
        "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
        "powershell.exe -NoProfile -File C:\\Scripts\\inventory.ps1",
        "C:\\Windows\\System32\\svchost.exe",
    ),
    (
        "C:\\Windows\\System32\\cmd.exe",
        'C:\\Windows\\system32\\cmd.exe /c "C:\\Program Files\\Backup\\run-backup.cmd"',
        "C:\\Windows\\System32\\svchost.exe",
    ),
    (
        "C:\\Program Files\\Git\\cmd\\git.exe",
        "git.exe fetch --prune origin",
        "C:\\Program Files\\Microsoft VS Code\\Code.exe",
    ),
    (
        "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
        "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding",
        "C:\\Windows\\System32\\svchost.exe",
    ),
    (
        "C:\\Program Files\\Microsoft VS Code\\Code.exe",
        '"C:\\Program Files\\Microsoft VS Code\\Code.exe" --type=utility',
        "C:\\Windows\\explorer.exe",
    ),
]
SERVICES = ["netsvcs", "LocalServiceNetworkRestricted", "UnistackSvcGroup", "wsappx", "DcomLaunch", "RPCSS"]
DLLS = [
    "ntdll.dll",
    "kernel32.dll",
    "KernelBase.dll",
    "user32.dll",
    "advapi32.dll",
    "combase.dll",
    "ole32.dll",
    "crypt32.dll",
    "ws2_32.dll",
    "msvcrt.dll",
    "sechost.dll",
    "rpcrt4.dll",
]
DOMAINS = [
    "www.microsoft.com",
    "login.microsoftonline.com",
    "outlook.office365.com",
    "teams.microsoft.com",
    "github.com",
    "update.googleapis.com",
    "clients2.google.com",
    "fileserver01.corp.example.com",
    "intranet.corp.example.com",
    "ocsp.digicert.com",
]
REG_KEYS = [
    "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\FileExts\\.txt\\OpenWithList",
    "HKU\\{sid}\\Software\\Microsoft\\Office\\16.0\\Outlook\\Profiles\\Outlook\\LastChange",
    "HKLM\\SYSTEM\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\{sid}\\LastRun",
    "HKU\\{sid}\\Software\\Google\\Chrome\\BLBeacon\\state",
]
FILES = [
    "C:\\Users\\{u}\\AppData\\Local\\Temp\\chrome_{n}.tmp",
    "C:\\Users\\{u}\\Documents\\report-{n}.docx",
    "C:\\ProgramData\\Microsoft\\Windows Defender\\Scans\\History\\{n}.bin",
    "C:\\Windows\\Temp\\MpCmdRun.log",
]


def _guid(r: random.Random) -> str:
    return f"{r.getrandbits(32):08X}-{r.getrandbits(16):04X}-{r.getrandbits(16):04X}-{r.getrandbits(16):04X}-{r.getrandbits(48):012X}"


def _sid(r: random.Random) -> str:
    return f"S-1-5-21-{r.randint(10**8, 10**9)}-{r.randint(10**8, 10**9)}-{r.randint(10**8, 10**9)}-{r.randint(1000, 5000)}"


def benign(r: random.Random, t: datetime) -> dict[str, Any]:
    host = r.choice(HOSTS)
    user = r.choice(USERS)
    kind = r.random()
    utc = t.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    base: dict[str, Any] = {"Computer": host, "TimeCreated": t.isoformat().replace("+00:00", "Z"), "UtcTime": utc}
    img, cli, parent = r.choice(SYSTEM_BINS)
    cli = cli.format(svc=r.choice(SERVICES), guid=_guid(r), n=r.randint(1, 9999))
    pguid = "{" + _guid(r) + "}"
    if kind < 0.30:  # Sysmon 1 process creation
        return base | {
            "EventID": 1, "Channel": SYSMON, "Provider_Name": "Microsoft-Windows-Sysmon", "RuleName": "-",
            "ProcessGuid": "{" + _guid(r) + "}", "ProcessId": r.randint(400, 30000), "Image": img,
            "FileVersion": "10.0.19041.1", "Description": img.rsplit("\\", 1)[-1], "Product": "Microsoft® Windows® Operating System",
            "Company": "Microsoft Corporation", "OriginalFileName": img.rsplit("\\", 1)[-1].upper(), "CommandLine": cli,
            "CurrentDirectory": "C:\\Windows\\system32\\", "User": f"CORP\\{user}", "LogonGuid": "{" + _guid(r) + "}",
            "LogonId": hex(r.getrandbits(32)), "TerminalSessionId": r.randint(0, 3), "IntegrityLevel": r.choice(["Medium", "High", "System"]),
            "Hashes": f"SHA1={r.getrandbits(160):040X},MD5={r.getrandbits(128):032X},SHA256={r.getrandbits(256):064X},IMPHASH={r.getrandbits(128):032X}",
            "ParentProcessGuid": pguid, "ParentProcessId": r.randint(400, 30000), "ParentImage": parent,
            "ParentCommandLine": parent, "ParentUser": "NT AUTHORITY\\SYSTEM",
        }  # fmt: skip
    if kind < 0.45:  # Sysmon 3 network connection
        return base | {
            "EventID": 3, "Channel": SYSMON, "Provider_Name": "Microsoft-Windows-Sysmon", "RuleName": "-",
            "ProcessGuid": pguid, "ProcessId": r.randint(400, 30000), "Image": img, "User": f"CORP\\{user}",
            "Protocol": "tcp", "Initiated": "true", "SourceIsIpv6": "false", "SourceIp": f"10.20.{r.randint(0, 255)}.{r.randint(1, 254)}",
            "SourceHostname": host, "SourcePort": r.randint(49152, 65535), "DestinationIsIpv6": "false",
            "DestinationIp": f"{r.choice([13, 20, 40, 52, 140])}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}",
            "DestinationHostname": r.choice(DOMAINS), "DestinationPort": r.choice([443, 443, 443, 80, 445, 53]),
        }  # fmt: skip
    if kind < 0.60:  # Sysmon 7 image load
        dll = r.choice(DLLS)
        return base | {
            "EventID": 7, "Channel": SYSMON, "Provider_Name": "Microsoft-Windows-Sysmon", "ProcessGuid": pguid,
            "ProcessId": r.randint(400, 30000), "Image": img, "ImageLoaded": f"C:\\Windows\\System32\\{dll}",
            "FileVersion": "10.0.19041.3636", "Description": dll, "Product": "Microsoft® Windows® Operating System",
            "Company": "Microsoft Corporation", "OriginalFileName": dll, "Hashes": f"SHA256={r.getrandbits(256):064X}",
            "Signed": "true", "Signature": "Microsoft Windows", "SignatureStatus": "Valid", "User": f"CORP\\{user}",
        }  # fmt: skip
    if kind < 0.70:  # Sysmon 11 file create
        return base | {
            "EventID": 11, "Channel": SYSMON, "Provider_Name": "Microsoft-Windows-Sysmon", "ProcessGuid": pguid,
            "ProcessId": r.randint(400, 30000), "Image": img,
            "TargetFilename": r.choice(FILES).format(u=user, n=r.randint(1, 99999)), "CreationUtcTime": utc, "User": f"CORP\\{user}",
        }  # fmt: skip
    if kind < 0.78:  # Sysmon 13 registry value set
        return base | {
            "EventID": 13, "Channel": SYSMON, "Provider_Name": "Microsoft-Windows-Sysmon", "EventType": "SetValue",
            "ProcessGuid": pguid, "ProcessId": r.randint(400, 30000), "Image": img,
            "TargetObject": r.choice(REG_KEYS).format(sid=_sid(r)), "Details": f"DWORD (0x{r.getrandbits(16):08x})", "User": f"CORP\\{user}",
        }  # fmt: skip
    if kind < 0.86:  # Sysmon 22 DNS query
        return base | {
            "EventID": 22, "Channel": SYSMON, "Provider_Name": "Microsoft-Windows-Sysmon", "ProcessGuid": pguid,
            "ProcessId": r.randint(400, 30000), "QueryName": r.choice(DOMAINS), "QueryStatus": "0",
            "QueryResults": f"type:  5 {r.choice(DOMAINS)};::ffff:{r.randint(1, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)};",
            "Image": img, "User": f"CORP\\{user}",
        }  # fmt: skip
    sec = r.random()
    common = {"Channel": "Security", "Provider_Name": "Microsoft-Windows-Security-Auditing", "SubjectUserSid": "S-1-5-18",
              "SubjectUserName": host.split(".")[0] + "$", "SubjectDomainName": "CORP", "SubjectLogonId": "0x3e7"}  # fmt: skip
    if sec < 0.5:
        return base | common | {
            "EventID": 4624, "TargetUserSid": _sid(r), "TargetUserName": user, "TargetDomainName": "CORP",
            "TargetLogonId": hex(r.getrandbits(32)), "LogonType": r.choice([2, 3, 3, 3, 5, 7, 10]), "LogonProcessName": "Kerberos",
            "AuthenticationPackageName": "Kerberos", "WorkstationName": "-", "LogonGuid": "{" + _guid(r) + "}",
            "ProcessName": "C:\\Windows\\System32\\lsass.exe", "IpAddress": f"10.20.{r.randint(0, 255)}.{r.randint(1, 254)}", "IpPort": "0",
        }  # fmt: skip
    if sec < 0.7:
        return (
            base
            | common
            | {
                "EventID": 4634,
                "TargetUserName": user,
                "TargetDomainName": "CORP",
                "TargetLogonId": hex(r.getrandbits(32)),
                "LogonType": 3,
            }
        )
    if sec < 0.85:
        return base | common | {
            "EventID": 4688, "NewProcessId": hex(r.randint(400, 30000)), "NewProcessName": img, "TokenElevationType": "%%1936",
            "ProcessId": hex(r.randint(400, 30000)), "CommandLine": cli, "TargetUserName": user, "ParentProcessName": parent,
            "MandatoryLabel": "S-1-16-8192",
        }  # fmt: skip
    return (
        base
        | common
        | {"EventID": 4672, "PrivilegeList": "SeSecurityPrivilege\n\t\t\tSeBackupPrivilege\n\t\t\tSeRestorePrivilege"}
    )


def regression_events() -> list[dict[str, Any]]:
    """Every record of every SigmaHQ regression EVTX, flattened to the Sigma field names."""
    from garrison.detect.sources.base import SourceStats
    from garrison.detect.sources.windows import EvtxSource

    out: list[dict[str, Any]] = []
    for evtx in sorted((CORPUS / "regression_data").rglob("*.evtx")):
        with evtx.open("rb") as fh:
            for ev in EvtxSource().records(fh, str(evtx), SourceStats(str(evtx))):
                out.append(ev.fields)
    return out


def generate(n: int, path: Path) -> Path:
    r = random.Random(SEED)
    bad = regression_events()
    start = datetime(2026, 11, 2, 8, 0, 0, tzinfo=UTC)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    n_bad = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for i in range(n):
            t = start + timedelta(milliseconds=i * 37)
            if r.random() < MALICIOUS_SHARE:
                ev = dict(bad[n_bad % len(bad)])
                n_bad += 1
            else:
                ev = benign(r, t)
            fh.write(json.dumps(ev, ensure_ascii=False, separators=(",", ":")) + "\n")
    tmp.replace(path)
    meta = {"events": n, "regression_events": n_bad, "benign_share": 1 - n_bad / n, "seed": SEED}
    path.with_suffix(".meta.json").write_text(json.dumps(meta, indent=2))
    return path


def corpus(n: int = 1_000_000) -> Path:
    path = OUT / f"events-{n}.jsonl"
    meta = path.with_suffix(".meta.json")
    if path.is_file() and meta.is_file() and json.loads(meta.read_text()).get("seed") == SEED:
        return path
    return generate(n, path)


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    p = corpus(n)
    print(p, json.loads(p.with_suffix(".meta.json").read_text()))
