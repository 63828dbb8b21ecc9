"""Live verification against a local HTTP stub (never the internet), and proof that scans stay offline."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from garrison.core.options import Options
from garrison.core.severity import Severity
from garrison.scan import engine
from garrison.scan.analyzers.secrets import SecretsAnalyzer
from garrison.scan.analyzers.secrets.verify import HttpRequest, HttpResponse, run_verifier, sigv4_headers
from garrison.scan.analyzers.secrets.verify.providers import sigv4_authorization
from garrison.scan.target import DirectoryTarget

VALID_GH = "ghp_Zq8Rn2LkT4vW9xY1bC3dE5fG7hJ0mN6pQs2T"
REVOKED_GH = "ghp_Rv7Kd2LmT4vW9xY1bC3dE5fG7hJ0mN6pQa9Z"
VALID_SLACK = "xoxb-703423667127-6842684656321-ljoQoaF1LlqsajAIxNKu8iS2"
AWS_ID, AWS_KEY = "AKIAZQ3DRSXLPFHVNY7M", "2hpChYgCfrL1spNxnyVmihA+2O76UMFxFkM+R5Kj"


class _Stub(BaseHTTPRequestHandler):
    seen: list[tuple[str, str]] = []  # noqa: RUF012 - shared by the test server only

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization", "")
        self.seen.append(("GET", self.path))
        if self.path == "/gh/user":
            ok = auth == f"token {VALID_GH}"
            self._reply(200 if ok else 401, b'{"login": "octo"}' if ok else b'{"message": "Bad credentials"}')
        else:
            self._reply(404, b"{}")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0") or 0)
        body = self.rfile.read(length)
        auth = self.headers.get("Authorization", "")
        self.seen.append(("POST", self.path))
        if self.path == "/slack/api/auth.test":
            ok = auth == f"Bearer {VALID_SLACK}"
            doc = {"ok": True, "team": "acme"} if ok else {"ok": False, "error": "invalid_auth"}
            self._reply(200, json.dumps(doc).encode())
        elif self.path == "/sts/":
            signed = auth.startswith(f"AWS4-HMAC-SHA256 Credential={AWS_ID}/") and body.startswith(b"Action=")
            if signed:
                xml = (
                    b"<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/ci</Arn>"
                )
                self._reply(200, xml + b"</GetCallerIdentityResult></GetCallerIdentityResponse>", "text/xml")
            else:
                self._reply(403, b"<Error><Code>InvalidClientTokenId</Code></Error>", "text/xml")
        else:
            self._reply(404, b"{}")


@pytest.fixture
def stub() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Stub.seen = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _analyzer(stub: str) -> SecretsAnalyzer:
    endpoints = {"github": f"{stub}/gh", "slack": f"{stub}/slack", "aws": f"{stub}/sts"}
    return SecretsAnalyzer(Options({"verify": True, "verify_endpoints": endpoints}, where="analyzers.secrets"))


def test_verify_marks_valid_and_invalid_credentials(stub: str, tmp_path: Path):
    (tmp_path / "settings.py").write_text(
        f'GITHUB_TOKEN = "{VALID_GH}"\nOLD_TOKEN = "{REVOKED_GH}"\nSLACK = "{VALID_SLACK}"\n'
    )
    (tmp_path / ".env").write_text(f"AWS_ACCESS_KEY_ID={AWS_ID}\nAWS_SECRET_ACCESS_KEY={AWS_KEY}\n")
    res = engine.run(DirectoryTarget(tmp_path), [_analyzer(stub)], jobs=1)
    by_line = {(f.location.path, f.location.line): f for f in res.findings}
    valid = by_line[("settings.py", 1)]
    assert valid.evidence["verified"] == "valid" and valid.severity == Severity.CRITICAL
    assert "verified" in valid.tags
    assert by_line[("settings.py", 2)].evidence["verified"] == "invalid"
    assert by_line[("settings.py", 3)].evidence["verified"] == "valid"
    aws_key = by_line[(".env", 2)]
    assert aws_key.evidence["verified"] == "valid"
    assert aws_key.evidence["verify_detail"] == "arn:aws:iam::123456789012:user/ci"
    assert aws_key.evidence["paired_with"] == "AKIA…[20 chars]"
    # each distinct credential was asked about once
    assert sorted(_Stub.seen).count(("GET", "/gh/user")) == 2


def test_network_failure_is_unknown_not_an_error(tmp_path: Path):
    (tmp_path / "a.py").write_text(f'T = "{VALID_GH}"\n')
    analyzer = SecretsAnalyzer(
        Options({"verify": True, "verify_endpoints": {"github": "http://127.0.0.1:9"}}, where="analyzers.secrets")
    )
    res = engine.run(DirectoryTarget(tmp_path), [analyzer], jobs=1)
    assert res.findings[0].evidence["verified"] == "unknown"
    assert res.runs[0].errors == ()


def test_scans_stay_offline_without_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access during a scan without --verify")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    (tmp_path / "a.py").write_text(f'T = "{VALID_GH}"\nS = "{VALID_SLACK}"\n')
    res = engine.run(DirectoryTarget(tmp_path), [SecretsAnalyzer()], jobs=1)
    assert len(res.findings) == 2
    assert all("verified" not in f.evidence for f in res.findings)


class _Mock:
    """An in-memory transport (httpx.MockTransport style)."""

    def __init__(self, status: int, body: bytes = b"") -> None:
        self.status, self.body = status, body
        self.requests: list[HttpRequest] = []

    def send(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        return HttpResponse(self.status, {}, self.body)


@pytest.mark.parametrize(
    ("name", "status", "verdict", "header"),
    [
        ("gitlab", 200, "valid", "PRIVATE-TOKEN"),
        ("gitlab", 401, "invalid", "PRIVATE-TOKEN"),
        ("stripe", 200, "valid", "Authorization"),
        ("stripe", 401, "invalid", "Authorization"),
        ("sendgrid", 403, "invalid", "Authorization"),
        ("openai", 200, "valid", "Authorization"),
        ("npm", 401, "invalid", "Authorization"),
        ("github", 429, "unknown", "Authorization"),
    ],
)
def test_verifiers_map_provider_answers(name: str, status: int, verdict: str, header: str):
    mock = _Mock(status)
    out = run_verifier(name, "tok_value_123", transport=mock)
    assert out["verified"] == verdict
    (req,) = mock.requests
    assert req.url.startswith("https://") and header in req.headers and "tok_value_123" in req.headers[header]


def test_aws_needs_the_pair():
    assert run_verifier("aws", AWS_ID, transport=_Mock(200))["verified"] == "unknown"


def test_sigv4_matches_the_aws_test_suite_vector():
    # aws-sig-v4-test-suite "get-vanilla"
    auth = sigv4_authorization(
        method="GET",
        url="https://example.amazonaws.com/",
        headers={"X-Amz-Date": "20150830T123600Z"},
        body=b"",
        now=dt.datetime(2015, 8, 30, 12, 36, 0),
        access_key="AKIDEXAMPLE",
        secret_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        region="us-east-1",
        service="service",
    )
    assert auth.endswith("Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    headers = sigv4_headers(AWS_ID, AWS_KEY, "https://sts.amazonaws.com/", b"x", dt.datetime(2024, 1, 2, 3, 4, 5))
    assert headers["X-Amz-Date"] == "20240102T030405Z"
    assert "SignedHeaders=content-type;host;x-amz-date" in headers["Authorization"]
