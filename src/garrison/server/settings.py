"""Service settings: environment variables over an optional TOML file over defaults.

| Setting | Env | Default |
|---|---|---|
| database_url | GARRISON_DATABASE_URL | sqlite in the user's data dir |
| secret_key | GARRISON_SECRET_KEY | refused outside ``--dev`` |
| max_upload_bytes | GARRISON_MAX_UPLOAD_MB | 256 MiB |
| sla_days | [sla] in the file | critical 7, high 30, medium 90, low 180, info 365 |

The file is ``GARRISON_SERVER_CONFIG`` or ``<data dir>/server.toml`` when present.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from garrison.core.errors import ConfigError, InputError
from garrison.core.severity import Severity

DEV_SECRET = "garrison-dev-secret-do-not-use-in-production"
DEFAULT_SLA_DAYS: dict[str, int] = {"critical": 7, "high": 30, "medium": 90, "low": 180, "info": 365}


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``GARRISON_DATA_DIR`` or ``$XDG_DATA_HOME/garrison`` or ``~/.local/share/garrison``."""
    environ = os.environ if environ is None else environ
    env = environ.get("GARRISON_DATA_DIR")
    if env:
        return Path(env)
    xdg = environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "garrison"


def default_database_url(environ: Mapping[str, str] | None = None) -> str:
    return f"sqlite:///{data_dir(environ) / 'garrison.db'}"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    secret_key: str
    dev: bool = False
    max_upload_bytes: int = 256 * 1024 * 1024
    sla_days: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_SLA_DAYS))
    secure_cookies: bool = False

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def validate_sla(raw: Any, *, where: str) -> dict[str, int]:
    """An SLA table maps severities to whole days (≥ 1); missing severities keep the default."""
    if not isinstance(raw, Mapping):
        raise ConfigError("expected a table of severity = days", field=where)
    out = dict(DEFAULT_SLA_DAYS)
    for key, days in raw.items():
        try:
            sev = Severity.parse(str(key), where=f"{where}.{key}")
        except InputError as exc:
            raise ConfigError(exc.message.split(": ", 1)[-1], field=f"{where}.{key}") from None
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            raise ConfigError("expected a whole number of days ≥ 1", field=f"{where}.{key}")
        out[sev.label] = days
    return out


def load_settings(*, dev: bool = False, environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    path_s = env.get("GARRISON_SERVER_CONFIG")
    path = Path(path_s) if path_s else data_dir(env) / "server.toml"
    file: dict[str, Any] = {}
    if path_s or path.is_file():
        try:
            file = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid TOML: {exc}", path=str(path)) from None
    server = file.get("server", {})
    if not isinstance(server, Mapping):
        raise ConfigError("expected a table", path=str(path), field="server")
    known = {"database_url", "secret_key", "max_upload_mb", "secure_cookies"}
    for key in server:
        if key not in known:
            raise ConfigError(f"unknown key (known: {', '.join(sorted(known))})", path=str(path), field=f"server.{key}")
    url = env.get("GARRISON_DATABASE_URL") or server.get("database_url") or default_database_url(env)
    secret = env.get("GARRISON_SECRET_KEY") or server.get("secret_key") or ""
    if not secret:
        if not dev:
            raise ConfigError(
                "no secret key: set GARRISON_SECRET_KEY (e.g. from `python -c 'import secrets; "
                "print(secrets.token_hex(32))'`) or run with --dev for local development"
            )
        secret = DEV_SECRET
    elif secret == DEV_SECRET and not dev:
        raise ConfigError("GARRISON_SECRET_KEY is the development default; choose a real secret")
    mb_raw = env.get("GARRISON_MAX_UPLOAD_MB") or server.get("max_upload_mb") or 256
    try:
        mb = int(mb_raw)
        if mb < 1:
            raise ValueError
    except (TypeError, ValueError):
        raise ConfigError(f"expected a whole number of MiB ≥ 1, got {mb_raw!r}", field="max_upload_mb") from None
    sla = validate_sla(file["sla"], where="sla") if "sla" in file else dict(DEFAULT_SLA_DAYS)
    return Settings(
        database_url=str(url),
        secret_key=str(secret),
        dev=dev,
        max_upload_bytes=mb * 1024 * 1024,
        sla_days=sla,
        secure_cookies=bool(server.get("secure_cookies", False)),
    )
