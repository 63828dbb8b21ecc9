"""The ``files`` analyzer: repository hygiene that needs no parser.

- permission bits that should never be committed (world-writable, setuid/setgid);
- files that hold credentials by their nature: keystores, Terraform state, populated ``.env`` files,
  ``.netrc``/``.pgpass``/``.git-credentials``/``.htpasswd``, kubeconfigs, shell histories.

Private keys (``id_rsa`` and any other PEM/OpenSSH key) are the ``secrets`` analyzer's: it reports them by
content wherever they are, so this analyzer does not report them a second time by name.

Name-based checks read at most the first 64 KiB of a file, and only to confirm (an ``.env`` with no
assignments is not reported).
"""

from __future__ import annotations

import fnmatch
import re
import stat
from collections.abc import Iterator, Sequence
from fnmatch import fnmatchcase

from garrison.core.finding import Finding, FindingKind, Location, Rule, new_finding
from garrison.core.options import Options
from garrison.core.severity import Confidence, Severity
from garrison.scan.analyzer import FileAnalyzer, ScanContext
from garrison.scan.source import SourceFile

ANALYZER_ID = "files"
PEEK = 64 * 1024

WORLD_WRITABLE = Rule(
    id="files.world-writable",
    title="World-writable file",
    severity=Severity.MEDIUM,
    description="The file is writable by every user on the system: anyone can change code or configuration "
    "that is later executed or trusted.",
    remediation="Remove the write bit for others: chmod o-w FILE (and commit the mode change).",
    cwe=(732,),
    references=("https://cwe.mitre.org/data/definitions/732.html",),
    tags=("permissions",),
)
SETUID = Rule(
    id="files.setuid-setgid",
    title="File with setuid or setgid bit",
    severity=Severity.MEDIUM,
    description="A setuid/setgid file runs with its owner's or group's privileges; in a source tree this is "
    "almost always an accident and a privilege-escalation path once deployed.",
    remediation="Clear the bits: chmod u-s,g-s FILE.",
    cwe=(250,),
    references=("https://cwe.mitre.org/data/definitions/250.html",),
    tags=("permissions",),
)


def _sensitive(rule_id: str, title: str, severity: Severity, description: str, remediation: str) -> Rule:
    return Rule(
        id=rule_id,
        title=title,
        severity=severity,
        confidence=Confidence.HIGH,
        description=description,
        remediation=remediation,
        cwe=(538,),
        references=("https://cwe.mitre.org/data/definitions/538.html",),
        tags=("sensitive-file",),
    )


KEYSTORE = _sensitive(
    "files.keystore",
    "Keystore or PKCS#12 bundle committed",
    Severity.HIGH,
    "Java keystores and PKCS#12 files (.jks, .keystore, .p12, .pfx) hold private keys and certificates; "
    "their passwords are often default or stored next to them.",
    "Remove the file and purge it from history; re-issue the certificates and keys it contained; load "
    "keystores from a secret store at deploy time.",
)
TFSTATE = _sensitive(
    "files.terraform-state",
    "Terraform state file committed",
    Severity.HIGH,
    "Terraform state records every attribute of managed resources in plain text, including database "
    "passwords, access keys and private keys.",
    "Remove the state from the repository and history; use a remote backend with encryption and locking "
    "(S3 + DynamoDB, GCS, azurerm, Terraform Cloud); rotate the secrets it held.",
)
DOTENV = _sensitive(
    "files.dotenv",
    "Environment file with values committed",
    Severity.MEDIUM,
    "A .env file with assignments is committed; these files usually carry the credentials of the "
    "environment they were copied from.",
    "Remove it, add .env to .gitignore, commit a .env.example with placeholder values instead, and rotate "
    "any real credential it held.",
)
CREDENTIALS = _sensitive(
    "files.credential-store",
    "Credential store file committed",
    Severity.HIGH,
    "Files such as .netrc, .pgpass, .git-credentials, .htpasswd, .pypirc and AWS credentials files exist "
    "to hold passwords or tokens.",
    "Remove the file and purge it from history; rotate every credential it contained.",
)
KUBECONFIG = _sensitive(
    "files.kubeconfig",
    "Kubernetes kubeconfig committed",
    Severity.HIGH,
    "A kubeconfig holds cluster endpoints and client credentials (tokens, client keys).",
    "Remove it and purge it from history; revoke the embedded tokens or client certificates.",
)
HISTORY = _sensitive(
    "files.shell-history",
    "Shell or client history file committed",
    Severity.MEDIUM,
    "Shell and database client history files record commands as typed, including inline passwords and tokens.",
    "Remove the file, add it to .gitignore, and rotate any credential that appears in it.",
)

RULES: tuple[Rule, ...] = (WORLD_WRITABLE, SETUID, KEYSTORE, TFSTATE, DOTENV, CREDENTIALS, KUBECONFIG, HISTORY)

_NAME_RULES: tuple[tuple[tuple[str, ...], Rule], ...] = (
    (("*.jks", "*.keystore", "*.p12", "*.pfx"), KEYSTORE),
    (("*.tfstate", "*.tfstate.backup"), TFSTATE),
    ((".env", ".env.*", "*.env"), DOTENV),
    ((".netrc", "_netrc", ".pgpass", ".git-credentials", ".htpasswd", ".pypirc", ".s3cfg", ".boto"), CREDENTIALS),
    (("kubeconfig", "*.kubeconfig"), KUBECONFIG),
    (
        (
            ".bash_history",
            ".zsh_history",
            ".sh_history",
            ".psql_history",
            ".mysql_history",
            ".python_history",
            ".node_repl_history",
            ".rediscli_history",
        ),
        HISTORY,
    ),
)
_PATH_RULES: tuple[tuple[str, Rule], ...] = (
    ("*/.aws/credentials", CREDENTIALS),
    (".aws/credentials", CREDENTIALS),
    ("*/.kube/config", KUBECONFIG),
    (".kube/config", KUBECONFIG),
    ("*/.docker/config.json", CREDENTIALS),
    (".docker/config.json", CREDENTIALS),
)


def _compile(rules: Sequence[tuple[Sequence[str], Rule]]) -> tuple[re.Pattern[str], dict[str, Rule]]:
    """One regex for many fnmatch patterns; the name of the matching group says which rule matched."""
    parts: list[str] = []
    by_group: dict[str, Rule] = {}
    for patterns, rule in rules:
        for pattern in patterns:
            group = f"g{len(parts)}"
            parts.append(f"(?P<{group}>{fnmatch.translate(pattern)})")
            by_group[group] = rule
    return re.compile("|".join(parts)), by_group


_NAME_RE, _NAME_GROUPS = _compile(_NAME_RULES)
_PATH_RE, _PATH_GROUPS = _compile([((p,), r) for p, r in _PATH_RULES])
_TEMPLATE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".tmpl", ".defaults", ".default", ".tpl")
_ASSIGNMENT = re.compile(rb"^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.]*\s*=\s*\S", re.MULTILINE)
_DOCKER_AUTH = re.compile(rb'"auth"\s*:\s*"[A-Za-z0-9+/=]{8,}"')


class FilesAnalyzer(FileAnalyzer):
    id = ANALYZER_ID
    version = "1.0.0"
    title = "Repository hygiene: dangerous permissions and committed credential files"
    reads_binary = True  # keystores are binary; content is only peeked at where it confirms a name match

    def configure(self, options: Options) -> None:
        self.check_permissions = options.boolean("permissions", True)
        self.check_names = options.boolean("sensitive_names", True)
        self.allow = tuple(options.strings("allow"))

    def rules(self) -> Sequence[Rule]:
        return RULES

    def _name_rule(self, path: str) -> Rule | None:
        name = path.rsplit("/", 1)[-1].rsplit("!", 1)[-1].lower()
        m = _NAME_RE.match(name)
        if m is not None:
            return None if name.endswith(_TEMPLATE_SUFFIXES) else _NAME_GROUPS[m.lastgroup or ""]
        m = _PATH_RE.match(path)
        return _PATH_GROUPS[m.lastgroup or ""] if m is not None else None

    def _allowed(self, path: str) -> bool:
        return any(fnmatchcase(path, p) for p in self.allow)

    def wants(self, file: SourceFile) -> bool:
        if self._allowed(file.path):
            return False
        if self.check_permissions and file.mode & (stat.S_IWOTH | stat.S_ISUID | stat.S_ISGID):
            return True
        return self.check_names and self._name_rule(file.path) is not None

    def analyze_file(self, file: SourceFile, ctx: ScanContext) -> Iterator[Finding]:
        loc = Location(path=file.path, commit=file.commit)
        if self.check_permissions:
            if file.mode & stat.S_IWOTH:
                yield self._finding(WORLD_WRITABLE, loc, f"mode {stat.filemode(file.mode)} lets every user modify it")
            if file.mode & (stat.S_ISUID | stat.S_ISGID):
                which = " and ".join(
                    b for b, bit in (("setuid", stat.S_ISUID), ("setgid", stat.S_ISGID)) if file.mode & bit
                )
                yield self._finding(SETUID, loc, f"{which} bit set (mode {stat.filemode(file.mode)})")
        rule = self._name_rule(file.path) if self.check_names else None
        if rule is None:
            return
        head = file.read_bytes()[:PEEK] if rule in (DOTENV, CREDENTIALS) else b""
        if rule is DOTENV and not _ASSIGNMENT.search(head):
            return
        if rule is CREDENTIALS and file.path.endswith("config.json") and not _DOCKER_AUTH.search(head):
            return
        if rule is CREDENTIALS and not head.strip():
            return
        yield self._finding(rule, loc, f"{rule.title.lower().replace(' committed', '')}: {file.name}")

    def _finding(self, rule: Rule, loc: Location, message: str) -> Finding:
        return new_finding(
            analyzer=self.id,
            kind=FindingKind.SECRET if "sensitive-file" in rule.tags else FindingKind.MISCONFIGURATION,
            rule=rule,
            location=loc,
            message=message,
            anchor=rule.id,
        )
