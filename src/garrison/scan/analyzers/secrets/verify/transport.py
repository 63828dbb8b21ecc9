"""The network seam of verification (httpx-style): a request value in, a response value out.

Verifiers never open sockets themselves; they call a :class:`Transport`. The real one uses the standard
library; tests and dry runs pass their own (or point the real one at a local stub server).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

MAX_BODY = 256 * 1024


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None
    timeout: float = 5.0


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


class TransportError(Exception):
    """The request could not be completed (DNS, connection, TLS, timeout)."""


class Transport(Protocol):
    def send(self, request: HttpRequest) -> HttpResponse: ...


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a credential is never forwarded to wherever a redirect points


class UrllibTransport:
    """HTTPS through ``urllib`` with a timeout, no redirects and a bounded response body."""

    def __init__(self) -> None:
        self._opener = urllib.request.build_opener(_NoRedirect())

    def send(self, request: HttpRequest) -> HttpResponse:
        req = urllib.request.Request(
            request.url, data=request.body, headers=dict(request.headers), method=request.method
        )
        try:
            with self._opener.open(req, timeout=request.timeout) as resp:
                return HttpResponse(resp.status, dict(resp.headers.items()), resp.read(MAX_BODY))
        except urllib.error.HTTPError as exc:
            body = exc.read(MAX_BODY) if exc.fp is not None else b""
            return HttpResponse(exc.code, dict(exc.headers.items()) if exc.headers else {}, body)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise TransportError(str(getattr(exc, "reason", exc))) from None
