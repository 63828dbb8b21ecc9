"""What must not fire: placeholders, templating, lockfile hashes, git SHAs, UUIDs, embedded images and fonts,
minified bundles, and test vectors inside third-party libraries — each as it appears in real files."""

from __future__ import annotations

import base64
import json
from functools import cache

import pytest

from garrison.scan.analyzers.secrets.catalogue import builtin_rules
from garrison.scan.analyzers.secrets.matcher import Matcher
from garrison.scan.analyzers.secrets.model import RuleSet

# a real-shaped live token, so each negative below is only quiet because of its context
LIVE = "ghp_" + "Zq8Rn2LkT4vW9xY1bC3dE5fG7hJ0mN6pQs2T"


@cache
def matcher() -> Matcher:
    return Matcher(RuleSet(rules=list(builtin_rules())))


def scan(text: str, path: str = "src/app/config.py") -> list[tuple[str, str]]:
    return [(h.rule.id, h.secret) for h in matcher().scan(text.encode(), path)]


def test_the_control_token_does_fire():
    assert scan(f'GITHUB_TOKEN = "{LIVE}"\n') == [("secrets.github-pat", LIVE)]


@pytest.mark.parametrize(
    "line",
    [
        "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
        'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
        "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        'SENDGRID_API_KEY = os.environ.get("SENDGRID_API_KEY", "<your-sendgrid-key>")',
        'api_key: "<your-api-key-goes-here-1234567>"',
        "password = changeme",
        'db_password: "${DB_PASSWORD}"',
        "DATABASE_URL=postgres://app:{{ .Values.db.password }}@db:5432/app",
        "password: {{ vault_db_password }}",
        'stripe_key = "sk_live_REPLACE_ME_WITH_YOUR_LIVE_KEY"',
        'token = "%(token)s"',
        "SECRET_KEY=__SECRET_KEY__",
        'client_secret = "your_client_secret_here_0001"',
        'JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSFMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"',
        "stripe.api_key = 'sk_test_4eC39HqLyjWDarjtT1zdp7dc'",
    ],
)
def test_placeholders_templates_and_documentation_examples(line: str):
    assert scan(line + "\n") == []


def test_lockfile_integrity_hashes():
    lock = json.dumps(
        {
            "name": "orders-web",
            "lockfileVersion": 3,
            "packages": {
                "node_modules/js-tokens": {
                    "version": "4.0.0",
                    "resolved": "https://registry.npmjs.org/js-tokens/-/js-tokens-4.0.0.tgz",
                    "integrity": "sha512-RdJUflcE3cUzKiMqQgsCu06FPu9UdIJO0beYbPhHN4k6apgJtifcoCtT9bcxOpYBtpD2kCM6Sbzg4CausW/PKQ==",
                }
            },
        },
        indent=2,
    )
    assert scan(lock, "package-lock.json") == []
    poetry = (
        '[[package]]\nname = "secretstorage"\nversion = "3.3.3"\nfiles = [\n'
        '    {file = "SecretStorage-3.3.3.tar.gz", hash = "sha256:2403533ef369eca6d2ba81718576c5e0f564d5cca1b58f73a8b23e7d4eeebd77"},\n]\n'
    )
    assert scan(poetry, "poetry.lock") == []
    yarn = 'js-tokens@^4.0.0:\n  version "4.0.0"\n  integrity sha512-RdJUflcE3cUzKiMqQgsCu06FPu9UdIJO0beYbPhHN4k6apgJtifcoCtT9bcxOpYBtpD2kCM6Sbzg4CausW/PKQ==\n'
    assert scan(yarn, "web/yarn.lock") == []
    # the same integrity field in an ordinary JSON file is a hash, not a token
    assert (
        scan(
            '{"token_integrity": "sha512-RdJUflcE3cUzKiMqQgsCu06FPu9UdIJO0beYbPhHN4k6apgJtifcoCtT9bcxOpYBtpD2kCM6Sbzg4CausW/PKQ=="}\n'
        )
        == []
    )


def test_git_shas_and_uuids():
    text = (
        'commit_token = "3f786850e387550fdab836ed7e6dc881de23001b"\n'
        "revision_secret: 9fceb02d0ae598e95dc970b74767f19372d61af8\n"
        'request_token = "c9a6e4f2-5b1d-4c7e-9f3a-2d8b6e1c0a47"\n'
        "idempotency_key: 0b7c4ad2-6a3f-4f8e-b2d1-9e5c7a3f1d20\n"
    )
    assert scan(text) == []


def test_base64_images_and_fonts():
    blob = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"AKIAZQ3DRSXLPFHVNY7M" * 40 + b"xoxb-" * 5).decode()
    css = (
        f".logo {{ background: url(data:image/png;base64,{blob}); }}\n"
        f"@font-face {{ src: url(data:font/woff2;base64,{blob}) format('woff2'); }}\n"
    )
    assert scan(css, "static/site.css") == []


def test_minified_bundles():
    bundle = (
        "!function(e){"
        + ";".join(f'var a{i}="{i:x}"' for i in range(400))
        + ';var apiKey="9fK2mQ7xL4pR8sT1vW3yZ6bC0dE5gH"}();\n'
    )
    assert scan(bundle, "static/js/app.min.js") == []
    # and a minified line in a file without the .min name
    assert scan(bundle, "static/js/vendor.js") == []


def test_test_vectors_in_well_known_libraries():
    rsa = (
        "-----BEGIN RSA PRIVATE KEY-----\n"
        + "\n".join(["MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun"] * 8)
        + "\n-----END RSA PRIVATE KEY-----\n"
    )
    assert scan(rsa, "node_modules/jsonwebtoken/test/priv.pem") == []
    assert scan(rsa, ".venv/lib/python3.11/site-packages/cryptography/hazmat/tests/vectors/rsa.pem") == []
    assert scan(rsa, "vendor/github.com/golang-jwt/jwt/test/sample_key") == []
    # the same key in the project itself is reported
    assert [r for r, _ in scan(rsa, "deploy/priv.pem")] == ["secrets.private-key-rsa"]


def test_generic_rules_ignore_references_and_prose():
    text = (
        "password = getpass.getpass()\n"
        "token = request.headers['Authorization']\n"
        'label_password = "Enter your password below please"\n'
        "secret_name: orders-db-credentials\n"
        'API_KEY_HEADER = "X-Api-Key-Header-Name"\n'
        "client_secret = settings.OAUTH_CLIENT_SECRET\n"
        "password_file: /run/secrets/db_password\n"
    )
    assert scan(text) == []
    # found in CPython's standard library and real scan reports while benchmarking
    code = (
        "        ctx.load_cert_chain(CERTFILE, password=getpass_exception)\n"
        "        self.passwd = password_mgr\n"
        "        smtp.user, smtp.password = sim_auth[0], sim_auth[1]\n"
        "        fds_to_pass = [listener.fileno(), alive_r]\n"
    )
    assert scan(code, "Lib/test/test_ssl.py") == []
    report = (
        '{"password_last_changed": "not_supported",\n'
        ' "cve": "10b6dd4f1881b067a00b77b2b910e433:SQL_NONCONSTANT_STRING_PASSED_TO_EXECUTE:src/main/Sql.java"}\n'
    )
    assert scan(report, "reports/gl-sast.json") == []
    # …while the same names with literal values are reported, in code and in config
    assert [r for r, _ in scan('ctx.load_cert_chain(CERT, password="Xk29aLq0Zp7w")\n', "app/tls.py")] == [
        "secrets.generic-password"
    ]
    assert [r for r, _ in scan("SMTP_PASSWORD=Xk29aLq0Zp7w\n", "deploy/.env")] == ["secrets.generic-password"]
