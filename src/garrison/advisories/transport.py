"""The only network seam of the advisory database: ``Transport.get``. Tests and dry runs pass a stub.

The default transport uses the standard library (no proxy magic beyond the usual environment variables),
streams the body with a hard size limit, and returns the response headers so the caller can verify
the ``x-goog-hash`` MD5 that OSV's bucket publishes for every object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from garrison.core.errors import InputError


class DownloadError(InputError):
    """A download failed (network, HTTP status, size limit or integrity check)."""


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


class Transport(Protocol):
    def get(self, url: str, *, max_bytes: int) -> Response: ...


class UrllibTransport:
    """HTTP(S) GET with the standard library."""

    def __init__(self, timeout: float = 60.0, progress: Callable[[int], None] | None = None) -> None:
        self.timeout = timeout
        self.progress = progress

    def get(self, url: str, *, max_bytes: int) -> Response:
        import urllib.error
        import urllib.request

        if not url.startswith(("https://", "http://", "file://")):
            raise DownloadError(f"unsupported URL scheme: {url}")
        req = urllib.request.Request(url, headers={"User-Agent": "garrison-advisory-db"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                chunks: list[bytes] = []
                size = 0
                while True:
                    chunk = resp.read(1 << 20)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > max_bytes:
                        raise DownloadError(f"{url}: larger than the limit of {max_bytes} bytes")
                    chunks.append(chunk)
                    if self.progress:
                        self.progress(size)
                headers = {k.lower(): v for k, v in resp.headers.items()}
                status = getattr(resp, "status", 200) or 200
        except urllib.error.HTTPError as exc:
            return Response(status=exc.code, body=b"", headers={k.lower(): v for k, v in exc.headers.items()})
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DownloadError(f"{url}: {reason}") from None
        return Response(status=status, body=b"".join(chunks), headers=headers)
