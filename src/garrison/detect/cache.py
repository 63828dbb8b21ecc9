"""On-disk cache of compiled rulesets, keyed by the content hash of the rule files.

What is stored is the ruleset IR (plain JSON: strings, numbers, lists — never code, never pickle), zlib-
compressed, behind an HMAC-SHA256 made with a per-user secret key (``key``, mode 0600). A cache file is used
only when the cache directory belongs to the current user and is not writable by others, and its HMAC
verifies: a file someone else planted, or a truncated/corrupt one, is ignored and rebuilt.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import zlib
from pathlib import Path
from typing import Any

from garrison.detect.compile import IR_VERSION

MAGIC = b"GARRISON-RULESET-CACHE/1 "


def default_dir() -> Path:
    env = os.environ.get("GARRISON_CACHE_DIR")
    if env:
        return Path(env) / "sigma"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "garrison" / "sigma"


def cache_key(rules_digest: str) -> str:
    import sigma

    from garrison import __version__

    pysigma = getattr(sigma, "__version__", "") or _dist_version("pysigma")
    return hashlib.sha256(f"{rules_digest}|ir{IR_VERSION}|{pysigma}|{__version__}".encode()).hexdigest()[:40]


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return ""


class RulesetCache:
    def __init__(self, directory: Path | None = None) -> None:
        self.dir = directory or default_dir()
        self.warning: str | None = None

    # --- trust -------------------------------------------------------------------------------------------

    def _safe_dir(self, create: bool) -> bool:
        try:
            if create:
                self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            st = self.dir.stat()
        except OSError:
            return False
        if not stat.S_ISDIR(st.st_mode):
            return False
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            self.warning = f"cache directory {self.dir} is not owned by you; not used"
            return False
        if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            self.warning = f"cache directory {self.dir} is writable by others; not used"
            return False
        return True

    def _key(self, create: bool) -> bytes | None:
        path = self.dir / "key"
        try:
            data = path.read_bytes()
            st = path.stat()
            if (hasattr(os, "getuid") and st.st_uid != os.getuid()) or st.st_mode & 0o077:
                self.warning = f"cache key {path} has unsafe ownership or permissions; cache not used"
                return None
            if len(data) == 32:
                return data
        except FileNotFoundError:
            pass
        except OSError:
            return None
        if not create:
            return None
        key = os.urandom(32)
        tmp = path.with_name(f".key.{os.getpid()}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(key)
            os.replace(tmp, path)
        except OSError:
            return None
        return key

    # --- read / write ------------------------------------------------------------------------------------

    def load(self, key: str) -> dict[str, Any] | None:
        if not self._safe_dir(create=False):
            return None
        secret = self._key(create=False)
        if secret is None:
            return None
        path = self.dir / f"{key}.json.z"
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        if not blob.startswith(MAGIC):
            return None
        head, _, body = blob.partition(b"\n")
        mac = head[len(MAGIC) :].decode("ascii", "replace")
        want = hmac.new(secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(mac, want):
            self.warning = f"cache file {path.name} failed verification; rebuilt"
            return None
        try:
            doc = json.loads(zlib.decompress(body))
        except (zlib.error, ValueError):
            return None
        if not isinstance(doc, dict) or doc.get("ir_version") != IR_VERSION:
            return None
        return doc

    def store(self, key: str, doc: dict[str, Any]) -> bool:
        if not self._safe_dir(create=True):
            return False
        secret = self._key(create=True)
        if secret is None:
            return False
        body = zlib.compress(json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), 1)
        mac = hmac.new(secret, body, hashlib.sha256).hexdigest().encode("ascii")
        path = self.dir / f"{key}.json.z"
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(MAGIC + mac + b"\n" + body)
            os.replace(tmp, path)
        except OSError:
            return False
        return True
