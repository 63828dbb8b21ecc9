import os
from pathlib import Path

import pytest

from garrison.core.options import Options
from garrison.scan import engine
from garrison.scan.analyzers.files import FilesAnalyzer
from garrison.scan.target import DirectoryTarget

PEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----\n"


def scan(root: Path, **options):
    res = engine.run(DirectoryTarget(root), [FilesAnalyzer(Options(options))], jobs=1)
    return sorted((f.rule.id, f.location.path) for f in res.findings)


def put(root: Path, rel: str, data: str | bytes = "x", mode: int | None = None) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    if mode is not None:
        os.chmod(p, mode)


def test_permission_bits(tmp_path):
    put(tmp_path, "deploy.sh", "#!/bin/sh\n", 0o777)
    put(tmp_path, "bin/helper", "x", 0o4755)
    put(tmp_path, "ok.sh", "x", 0o755)
    assert scan(tmp_path) == [("files.setuid-setgid", "bin/helper"), ("files.world-writable", "deploy.sh")]


@pytest.mark.parametrize(
    ("rel", "data", "rule"),
    [
        ("certs/server.p12", b"\x30\x82\x0a\x00binary", "files.keystore"),
        ("android/release.jks", b"\xfe\xed\xfe\xed", "files.keystore"),
        ("infra/terraform.tfstate", '{"version": 4}', "files.terraform-state"),
        (".env", "DB_PASSWORD=hunter2\n", "files.dotenv"),
        ("config/prod.env", "export API_TOKEN=abc\n", "files.dotenv"),
        ("home/.netrc", "machine api.example.com login a password b\n", "files.credential-store"),
        ("ops/.aws/credentials", "[default]\naws_access_key_id=x\n", "files.credential-store"),
        ("ops/.docker/config.json", '{"auths": {"r.io": {"auth": "dXNlcjpwYXNzd29yZA=="}}}', "files.credential-store"),
        ("k8s/prod.kubeconfig", "apiVersion: v1\nkind: Config\n", "files.kubeconfig"),
        ("debug/.bash_history", "mysql -p'secret'\n", "files.shell-history"),
    ],
)
def test_sensitive_files_true_positives(tmp_path, rel, data, rule):
    put(tmp_path, rel, data)
    assert scan(tmp_path) == [(rule, rel)]


@pytest.mark.parametrize(
    ("rel", "data"),
    [
        ("keys/id_rsa.pub", "ssh-ed25519 AAAA user@host\n"),
        ("keys/id_rsa", "placeholder, generate your own key\n"),
        (".env.example", "DB_PASSWORD=changeme\n"),
        (".env", "# only comments\n\n"),
        ("ops/.docker/config.json", '{"credsStore": "desktop"}'),
        ("home/.netrc", ""),
        ("docs/terraform.tfstate.md", "how state works"),
    ],
)
def test_sensitive_files_false_positives(tmp_path, rel, data):
    put(tmp_path, rel, data)
    assert scan(tmp_path) == []


def test_options_turn_checks_off_and_allow_paths(tmp_path):
    put(tmp_path, "run.sh", "x", 0o777)
    put(tmp_path, "tests/fixtures/.env", "A=1\n")
    assert scan(tmp_path, permissions=False, allow=["tests/fixtures/*"]) == []
    assert scan(tmp_path, sensitive_names=False) == [("files.world-writable", "run.sh")]


def test_unknown_option_is_rejected():
    from garrison.core.errors import ConfigError

    with pytest.raises(ConfigError, match=r"analyzers.files.permision: unknown key"):
        FilesAnalyzer(Options({"permision": True}, where="analyzers.files"))
