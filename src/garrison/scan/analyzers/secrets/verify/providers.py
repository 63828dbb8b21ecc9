"""Live verification, one small verifier per provider: ask the provider's cheapest read-only endpoint
whether the credential authenticates. Only ever run with ``--verify``.

Each verifier maps a response to ``valid`` (it authenticates), ``invalid`` (the provider rejects it) or
``unknown`` (rate limited, network error, unexpected answer). ``endpoints`` overrides base URLs (GitHub
Enterprise, self-managed GitLab, or a local stub in tests).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from garrison.scan.analyzers.secrets.verify.transport import (
    HttpRequest,
    HttpResponse,
    Transport,
    TransportError,
    UrllibTransport,
)

USER_AGENT = "garrison-secrets-verify"


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str  # valid | invalid | unknown
    detail: str = ""

    def as_evidence(self) -> dict[str, str]:
        out = {"verified": self.status}
        if self.detail:
            out["verify_detail"] = self.detail[:200]
        return out


@dataclass(frozen=True, slots=True)
class Verifier:
    name: str
    base_url: str
    build: Callable[[str, str, str | None, float], HttpRequest]  # (base, secret, partner, timeout)
    judge: Callable[[HttpResponse], Verdict]


def _by_status(ok: tuple[int, ...] = (200,), bad: tuple[int, ...] = (401, 403)) -> Callable[[HttpResponse], Verdict]:
    def judge(resp: HttpResponse) -> Verdict:
        if resp.status in ok:
            return Verdict("valid", f"HTTP {resp.status}")
        if resp.status in bad:
            return Verdict("invalid", f"HTTP {resp.status}")
        return Verdict("unknown", f"HTTP {resp.status}")

    return judge


def _get(path: str, header: str, fmt: str) -> Callable[[str, str, str | None, float], HttpRequest]:
    def build(base: str, secret: str, _partner: str | None, timeout: float) -> HttpRequest:
        return HttpRequest(
            "GET", base.rstrip("/") + path, {header: fmt.format(secret), "User-Agent": USER_AGENT}, None, timeout
        )

    return build


def _slack_build(base: str, secret: str, _p: str | None, timeout: float) -> HttpRequest:
    headers = {"Authorization": f"Bearer {secret}", "User-Agent": USER_AGENT}
    return HttpRequest("POST", base.rstrip("/") + "/api/auth.test", headers, b"", timeout)


def _slack_judge(resp: HttpResponse) -> Verdict:
    if resp.status != 200:
        return Verdict("unknown", f"HTTP {resp.status}")
    try:
        doc = json.loads(resp.body)
    except ValueError:
        return Verdict("unknown", "unreadable answer")
    if doc.get("ok") is True:
        return Verdict("valid", f"team {doc.get('team', '?')}")
    err = str(doc.get("error", ""))
    if err in ("invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired"):
        return Verdict("invalid", err)
    return Verdict("unknown", err or "no answer")


# --- AWS: STS GetCallerIdentity signed with Signature Version 4 ---------------------------------------
_STS_BODY = b"Action=GetCallerIdentity&Version=2011-06-15"


def _sign(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def sigv4_authorization(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    now: dt.datetime,
    access_key: str,
    secret_key: str,
    region: str,
    service: str,
) -> str:
    """The ``Authorization`` header of an AWS Signature Version 4 request (pure: time is passed in).
    ``headers`` are the headers to sign besides ``host``, e.g. ``{"x-amz-date": …}``."""
    parts = urllib.parse.urlsplit(url)
    signed_headers = {"host": parts.netloc, **{k.lower(): v.strip() for k, v in headers.items()}}
    names = sorted(signed_headers)
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    canonical = "\n".join(
        [
            method,
            parts.path or "/",
            query,
            "".join(f"{n}:{signed_headers[n]}\n" for n in names),
            ";".join(names),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    day = now.strftime("%Y%m%d")
    scope = f"{day}/{region}/{service}/aws4_request"
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    k = _sign(_sign(_sign(_sign(("AWS4" + secret_key).encode(), day), region), service), "aws4_request")
    signature = hmac.new(k, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders={';'.join(names)}, Signature={signature}"


def sigv4_headers(
    access_key: str, secret_key: str, url: str, body: bytes, now: dt.datetime, region: str = "us-east-1"
) -> dict[str, str]:
    """Headers of a SigV4-signed form ``POST`` to STS."""
    ctype = "application/x-www-form-urlencoded; charset=utf-8"
    amz_date = now.strftime("%Y%m%dT%H%M%SZ")
    auth = sigv4_authorization(
        method="POST",
        url=url,
        headers={"content-type": ctype, "x-amz-date": amz_date},
        body=body,
        now=now,
        access_key=access_key,
        secret_key=secret_key,
        region=region,
        service="sts",
    )
    return {"Content-Type": ctype, "X-Amz-Date": amz_date, "Authorization": auth, "User-Agent": USER_AGENT}


def _aws_build(base: str, secret: str, partner: str | None, timeout: float) -> HttpRequest:
    assert partner is not None
    key_id, key = (secret, partner) if secret.startswith(("AKIA", "ASIA", "ABIA", "ACCA", "A3T")) else (partner, secret)
    url = base.rstrip("/") + "/"
    headers = sigv4_headers(key_id, key, url, _STS_BODY, dt.datetime.now(dt.UTC))
    return HttpRequest("POST", url, headers, _STS_BODY, timeout)


def _aws_judge(resp: HttpResponse) -> Verdict:
    if resp.status == 200 and b"GetCallerIdentityResult" in resp.body:
        arn = resp.body.split(b"<Arn>", 1)[-1].split(b"</Arn>", 1)[0].decode("utf-8", "replace")
        return Verdict("valid", arn if "<" not in arn else "")
    if resp.status in (400, 403) and (b"InvalidClientTokenId" in resp.body or b"SignatureDoesNotMatch" in resp.body):
        return Verdict("invalid", "InvalidClientTokenId" if b"InvalidClientTokenId" in resp.body else "bad secret")
    return Verdict("unknown", f"HTTP {resp.status}")


VERIFIERS: dict[str, Verifier] = {
    "github": Verifier("github", "https://api.github.com", _get("/user", "Authorization", "token {}"), _by_status()),
    "gitlab": Verifier(
        "gitlab",
        "https://gitlab.com",
        _get("/api/v4/personal_access_tokens/self", "PRIVATE-TOKEN", "{}"),
        _by_status(),
    ),
    "slack": Verifier("slack", "https://slack.com", _slack_build, _slack_judge),
    "stripe": Verifier(
        "stripe", "https://api.stripe.com", _get("/v1/balance", "Authorization", "Bearer {}"), _by_status()
    ),
    "sendgrid": Verifier(
        "sendgrid", "https://api.sendgrid.com", _get("/v3/scopes", "Authorization", "Bearer {}"), _by_status()
    ),
    "openai": Verifier(
        "openai", "https://api.openai.com", _get("/v1/models", "Authorization", "Bearer {}"), _by_status()
    ),
    "npm": Verifier("npm", "https://registry.npmjs.org", _get("/-/whoami", "Authorization", "Bearer {}"), _by_status()),
    "aws": Verifier("aws", "https://sts.amazonaws.com", _aws_build, _aws_judge),
}
_NEEDS_PARTNER = frozenset({"aws"})


def run_verifier(
    name: str,
    secret: str,
    *,
    partner: str | None = None,
    endpoints: Mapping[str, str] | None = None,
    timeout: float = 5.0,
    transport: Transport | None = None,
) -> dict[str, str]:
    """Verify one credential; the result is evidence for the finding, never an exception."""
    verifier = VERIFIERS.get(name)
    if verifier is None:
        return Verdict("unknown", f"no verifier {name!r}").as_evidence()
    if name in _NEEDS_PARTNER and not partner:
        return Verdict("unknown", "needs the paired key to verify").as_evidence()
    base = (endpoints or {}).get(name, verifier.base_url)
    request = verifier.build(base, secret, partner, timeout)
    try:
        response = (transport or UrllibTransport()).send(request)
    except TransportError as exc:
        return Verdict("unknown", f"network: {exc}").as_evidence()
    return verifier.judge(response).as_evidence()
