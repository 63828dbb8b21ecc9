"""``garrison rules update sigma``: download a SigmaHQ release archive, verify it, install it.

Network access goes through a small transport seam (tests use a local HTTP stub; nothing here runs unless the
user asks). The archive is verified against a SHA-256 the user gives, or the checksum published next to it
(``<url>.sha256``); it must be a readable zip holding Sigma rules. It is installed under the user's data dir as
``sigma/rules-<sha>.zip`` and ``sigma/current.json`` is switched atomically, so a failed update never breaks
the rules already installed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from garrison.core.errors import GarrisonError, InputError

DEFAULT_URL = "https://github.com/SigmaHQ/sigma/releases/latest/download/sigma_all_rules.zip"
MAX_ARCHIVE = 256 * 1024 * 1024
MAX_CHECKSUM = 64 * 1024
_HEX64 = re.compile(r"\b([0-9a-fA-F]{64})\b")


class UpdateError(GarrisonError):
    """Download or verification failed; the installed rules are unchanged."""

    exit_code = 2


class Transport(Protocol):
    def get(self, url: str, *, limit: int) -> bytes: ...


class UrllibTransport:
    """HTTP(S) GET with a timeout and a size limit."""

    def __init__(self, timeout: float = 60.0) -> None:
        self.timeout = timeout

    def get(self, url: str, *, limit: int) -> bytes:
        import urllib.error
        import urllib.request

        if not url.startswith(("https://", "http://")):
            raise UpdateError(f"unsupported URL scheme: {url}")
        req = urllib.request.Request(url, headers={"User-Agent": "garrison-rules-update"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                data: bytes = resp.read(limit + 1)
        except urllib.error.HTTPError as exc:
            raise UpdateError(f"download failed: HTTP {exc.code} for {url}") from None
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise UpdateError(f"download failed: {getattr(exc, 'reason', exc)} ({url})") from None
        if len(data) > limit:
            raise UpdateError(f"download larger than {limit} bytes: {url}")
        return data


def data_dir() -> Path:
    env = os.environ.get("GARRISON_DATA_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "garrison"


@dataclass(frozen=True)
class Installed:
    path: Path
    sha256: str
    url: str
    rules: int


def installed_rules() -> Path | None:
    """The archive ``garrison rules update sigma`` installed last, or None."""
    current = data_dir() / "sigma" / "current.json"
    try:
        doc = json.loads(current.read_text("utf-8"))
        path = current.parent / str(doc["archive"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return path if path.is_file() else None


def update_sigma(
    *,
    url: str = DEFAULT_URL,
    sha256: str | None = None,
    checksum_url: str | None = None,
    transport: Transport | None = None,
    dest: Path | None = None,
) -> Installed:
    tr = transport or UrllibTransport()
    if sha256 is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
        raise InputError("expected 64 hex digits", field="--sha256")
    expected = sha256.lower() if sha256 else None
    if expected is None:
        text = tr.get(checksum_url or url + ".sha256", limit=MAX_CHECKSUM).decode("utf-8", "replace")
        m = _HEX64.search(text)
        if m is None:
            raise UpdateError("published checksum file has no SHA-256; pass --sha256")
        expected = m.group(1).lower()
    data = tr.get(url, limit=MAX_ARCHIVE)
    got = hashlib.sha256(data).hexdigest()
    if got != expected:
        raise UpdateError(f"checksum mismatch: expected {expected}, downloaded archive has {got}; nothing installed")
    count = _count_rules(data)
    target = (dest or data_dir()) / "sigma"
    target.mkdir(parents=True, exist_ok=True)
    name = f"rules-{got[:16]}.zip"
    tmp = target / f".{name}.{os.getpid()}"
    tmp.write_bytes(data)
    os.replace(tmp, target / name)
    meta = {"archive": name, "sha256": got, "url": url, "rules": count}
    tmpj = target / f".current.json.{os.getpid()}"
    tmpj.write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
    os.replace(tmpj, target / "current.json")
    return Installed(target / name, got, url, count)


def _count_rules(data: bytes) -> int:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = [i.filename for i in zf.infolist() if i.filename.lower().endswith((".yml", ".yaml"))]
    except (zipfile.BadZipFile, OSError) as exc:
        raise UpdateError(f"downloaded file is not a zip archive: {exc}") from None
    if not names:
        raise UpdateError("archive holds no Sigma rule files (.yml)")
    return len(names)
