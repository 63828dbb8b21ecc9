"""Optional live verification of found credentials (``--verify``), behind a transport seam."""

from garrison.scan.analyzers.secrets.verify.providers import VERIFIERS, Verdict, run_verifier, sigv4_headers
from garrison.scan.analyzers.secrets.verify.transport import HttpRequest, HttpResponse, Transport, UrllibTransport

__all__ = [
    "VERIFIERS",
    "HttpRequest",
    "HttpResponse",
    "Transport",
    "UrllibTransport",
    "Verdict",
    "run_verifier",
    "sigv4_headers",
]
