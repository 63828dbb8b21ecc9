"""Import OSV advisories into the local index: from a directory, a zip (OSV's ``all.zip`` or any mirror),
a single file, or by downloading each ecosystem's ``all.zip`` through a :class:`Transport`.

Archives are read in memory with limits (member count, member size, total size), so a hostile zip cannot
exhaust the disk or memory; nothing is extracted. Invalid documents are reported one line each and skipped
(or, with ``strict``, abort the import before anything is written).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from garrison.advisories.model import Advisory
from garrison.advisories.osv import MAX_DOCUMENT, AdvisoryError, load_document, parse_advisory
from garrison.advisories.store import AdvisoryDB, utc_now
from garrison.advisories.transport import DownloadError, Transport
from garrison.advisories.versions import ECOSYSTEMS, canonical_ecosystem
from garrison.core.errors import InputError

DEFAULT_BASE_URL = "https://osv-vulnerabilities.storage.googleapis.com"
MAX_ARCHIVE = 2 * 1024**3  # downloaded zip
MAX_MEMBERS = 500_000
MAX_TOTAL = 8 * 1024**3  # uncompressed bytes read from one archive
_SUFFIXES = (".json", ".yaml", ".yml")
MAX_REPORTED_ERRORS = 50


@dataclass(slots=True)
class ImportResult:
    source: str
    advisories: list[Advisory] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    documents: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # per ecosystem, after the write


def _iter_directory(root: Path) -> Iterator[tuple[str, bytes]]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for fn in sorted(filenames):
            if not fn.endswith(_SUFFIXES):
                continue
            full = os.path.join(dirpath, fn)
            rel = os.path.relpath(full, root)
            if os.path.islink(full):
                continue
            try:
                size = os.path.getsize(full)
                if size > MAX_DOCUMENT:
                    yield rel, _too_large(size)
                    continue
                with open(full, "rb") as fh:
                    yield rel, fh.read()
            except OSError as exc:
                raise InputError(f"cannot read: {exc.strerror or exc}", path=full) from None


def _too_large(size: int) -> bytes:
    # a marker the parser rejects with a clear message, without reading the file
    return b"\x00too-large:" + str(size).encode()


def _iter_zip(data: bytes | Path, label: str) -> Iterator[tuple[str, bytes]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data) if isinstance(data, bytes) else data)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"not a valid zip archive ({exc})", path=label) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InputError(f"zip has {len(infos)} members (limit {MAX_MEMBERS})", path=label)
        total = 0
        for info in infos:
            if info.is_dir() or not info.filename.endswith(_SUFFIXES):
                continue
            if info.file_size > MAX_DOCUMENT:
                yield info.filename, _too_large(info.file_size)
                continue
            try:
                with zf.open(info) as fh:
                    body = fh.read(MAX_DOCUMENT + 1)  # never trust the declared size
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
                raise InputError(f"corrupt zip member {info.filename} ({exc})", path=label) from None
            total += len(body)
            if len(body) > MAX_DOCUMENT:
                yield info.filename, _too_large(len(body))
                continue
            if total > MAX_TOTAL:
                raise InputError(f"zip expands to more than {MAX_TOTAL} bytes", path=label)
            yield info.filename, body


def iter_documents(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every OSV document under ``path`` (directory, zip or single file)."""
    if path.is_dir():
        yield from _iter_directory(path)
        return
    if not path.exists():
        raise InputError("no such file or directory", path=str(path))
    if path.suffix.lower() == ".zip" or zipfile.is_zipfile(path):
        yield from _iter_zip(path, str(path))
        return
    if path.name.endswith(_SUFFIXES):
        try:
            yield path.name, path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
        return
    raise InputError("expected a directory, a .zip archive or an OSV .json/.yaml file", path=str(path))


def parse_documents(docs: Iterator[tuple[str, bytes]], source: str) -> ImportResult:
    result = ImportResult(source=source)
    for name, body in docs:
        result.documents += 1
        label = f"{source}!{name}" if source != name else name
        try:
            if body.startswith(b"\x00too-large:"):
                raise AdvisoryError(
                    f"document too large ({body[11:].decode()} bytes, limit {MAX_DOCUMENT})", path=label
                )
            adv = parse_advisory(load_document(body, name), label)
        except AdvisoryError as exc:
            result.errors.append(exc.message)
            continue
        except RecursionError:
            result.errors.append(f"{label}: document nested too deeply")
            continue
        if adv.withdrawn:
            result.withdrawn.append(adv.id)
        else:
            result.advisories.append(adv)
    return result


def import_path(db_path: Path, path: Path, *, strict: bool = False) -> ImportResult:
    """``garrison db import PATH``: upsert every advisory found under PATH."""
    result = parse_documents(iter_documents(path), str(path))
    _check(result, strict)
    with AdvisoryDB.open_for_write(db_path) as db:
        result.counts = db.write(result.advisories, result.withdrawn, source=f"import {path}")
    return result


def _check(result: ImportResult, strict: bool) -> None:
    if result.documents == 0:
        raise InputError("no OSV documents (.json/.yaml) found", path=result.source)
    if not result.advisories and not result.withdrawn:
        first = result.errors[0] if result.errors else "no valid advisories"
        raise InputError(f"no valid OSV advisory among {result.documents} documents (first problem: {first})")
    if strict and result.errors:
        raise InputError(f"{len(result.errors)} invalid documents; nothing imported (first: {result.errors[0]})")


def archive_url(base_url: str, ecosystem: str) -> str:
    return f"{base_url.rstrip('/')}/{quote(ecosystem)}/all.zip"


def verify_download(url: str, body: bytes, headers: dict[str, str] | None) -> None:
    """Check the ``x-goog-hash`` MD5 when the server sends one (OSV's bucket does)."""
    for part in ((headers or {}).get("x-goog-hash") or "").split(","):
        kind, _, value = part.strip().partition("=")
        if kind == "md5" and value:
            digest = base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()
            if digest != value.strip():
                raise DownloadError(f"{url}: MD5 mismatch (expected {value.strip()}, got {digest}); nothing imported")


def update(
    db_path: Path,
    ecosystems: Sequence[str],
    *,
    transport: Transport,
    base_url: str = DEFAULT_BASE_URL,
    strict: bool = False,
    log: Callable[[str], None] | None = None,
) -> list[ImportResult]:
    """``garrison db update``: download, verify and import each ecosystem's ``all.zip`` (each replaces the
    previous data of its ecosystem). Every archive is downloaded and parsed before anything is written.
    """
    names = []
    for e in ecosystems or ECOSYSTEMS:
        canon = canonical_ecosystem(e)
        if canon is None:
            raise InputError(f"unknown ecosystem {e!r} (supported: {', '.join(ECOSYSTEMS)})", field="--ecosystem")
        names.append(canon)
    staged: list[tuple[str, ImportResult, str]] = []
    for eco in dict.fromkeys(names):
        url = archive_url(base_url, eco)
        if log:
            log(f"downloading {url}")
        resp = transport.get(url, max_bytes=MAX_ARCHIVE)
        if resp.status != 200:
            raise DownloadError(f"{url}: HTTP {resp.status}; nothing imported")
        verify_download(url, resp.body, dict(resp.headers))
        fetched = utc_now()
        result = parse_documents(_iter_zip(resp.body, url), url)
        _check(result, strict)
        staged.append((eco, result, fetched))
    with AdvisoryDB.open_for_write(db_path) as db:
        for eco, result, fetched in staged:
            result.counts = db.write(
                result.advisories, result.withdrawn, source=result.source, replace_ecosystems=[eco], snapshot=fetched
            )
    return [r for _, r, _ in staged]
