"""--staged and --git-history on real repositories built in tmp dirs with the git CLI."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from garrison.core.errors import InputError, UsageError
from garrison.scan import engine
from garrison.scan.analyzers.secrets import SecretsAnalyzer
from garrison.scan.targets.git import HistoryTarget, StagedTarget, git_target
from tests.schemas import assert_valid_report

TOKEN = "ghp_Zq8Rn2LkT4vW9xY1bC3dE5fG7hJ0mN6pQs2T"
OTHER = "xoxb-703423667127-6842684656321-ljoQoaF1LlqsajAIxNKu8iS2"


class Repo:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True)
        self.n = 0
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "Dana Dev",
            "GIT_AUTHOR_EMAIL": "dana@acme.io",
            "GIT_COMMITTER_NAME": "Dana Dev",
            "GIT_COMMITTER_EMAIL": "dana@acme.io",
            "GIT_AUTHOR_DATE": f"2024-01-{self.n + 1:02d}T10:00:00+02:00",
            "GIT_COMMITTER_DATE": f"2024-01-{self.n + 1:02d}T10:00:00+02:00",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(self.root),
        }
        out = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=True)
        return out.stdout.strip()

    def commit(self, files: dict[str, str | None], message: str = "change") -> str:
        for rel, text in files.items():
            p = self.root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            if text is None:
                p.unlink()
            else:
                p.write_text(text)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        self.n += 1
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def scan(target):
    return engine.run(target, [SecretsAnalyzer()], jobs=1)


def test_history_reports_the_introducing_commit_once(repo: Repo):
    c1 = repo.commit({"app.py": "print('hi')\n"})
    c2 = repo.commit({"app.py": f"print('hi')\nTOKEN = '{TOKEN}'\n"}, "add token")
    repo.commit({"app.py": "print('hi')\n"}, "remove token")
    repo.commit({"app.py": f"# back again\nprint('hi')\n\nTOKEN = '{TOKEN}'\n"}, "re-add token")
    repo.commit({"app.py": f"# back again\nprint('hi')\n\nTOKEN = '{TOKEN}'\nSLACK = '{OTHER}'\n"})
    res = scan(HistoryTarget(repo.root))
    got = [(f.rule.id, f.location.path, f.location.line, f.location.commit.sha) for f in res.findings]
    assert sorted(got) == sorted(
        [
            ("secrets.github-pat", "app.py", 2, c2),
            ("secrets.slack-bot-token", "app.py", 5, repo.git("rev-parse", "HEAD")),
        ]
    )
    gh = next(f for f in res.findings if f.rule.id == "secrets.github-pat")
    assert gh.location.commit.author == "Dana Dev" and gh.location.commit.email == "dana@acme.io"
    assert gh.location.commit.date == "2024-01-02T10:00:00+02:00"
    assert c1 != c2


def test_history_scans_added_lines_only(repo: Repo):
    repo.commit({"a.py": f"T = '{TOKEN}'\nx = 1\n"})
    repo.commit({"a.py": "x = 2\n"})  # the deletion of the token is not a finding
    res = scan(HistoryTarget(repo.root))
    assert len(res.findings) == 1
    files = list(HistoryTarget(repo.root).files())
    assert [(f.path, f.line_map, f.read_bytes()) for f in files] == [
        ("a.py", (1, 2), f"T = '{TOKEN}'\nx = 1\n".encode()),
        ("a.py", (1,), b"x = 2\n"),
    ]
    assert files[0].commit is not None and files[0].commit.sha != files[1].commit.sha


def test_since_and_branch(repo: Repo):
    base = repo.commit({"a.py": f"OLD = '{TOKEN}'\n"})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit({"b.py": f"NEW = '{OTHER}'\n"})
    repo.git("checkout", "-q", "main")
    all_ids = {f.rule.id for f in scan(HistoryTarget(repo.root)).findings}
    assert all_ids == {"secrets.github-pat", "secrets.slack-bot-token"}
    assert {f.rule.id for f in scan(HistoryTarget(repo.root, since=base)).findings} == {"secrets.slack-bot-token"}
    assert {f.rule.id for f in scan(HistoryTarget(repo.root, branch="main")).findings} == {"secrets.github-pat"}
    with pytest.raises(InputError, match="--since: unknown revision 'nope'"):
        HistoryTarget(repo.root, since="nope")
    with pytest.raises(InputError, match="--branch: not a revision"):
        HistoryTarget(repo.root, branch="--all")


def test_inline_allow_in_history_uses_the_files_own_line(repo: Repo):
    repo.commit({"a.py": "\n".join(f"x{i} = {i}" for i in range(10)) + "\n"})
    lines = [f"x{i} = {i}" for i in range(10)]
    lines.insert(6, f"T = '{TOKEN}'  # gitleaks:allow")
    lines.insert(8, f"S = '{OTHER}'")
    repo.commit({"a.py": "\n".join(lines) + "\n"})
    res = scan(HistoryTarget(repo.root))
    assert [(f.rule.id, f.location.line) for f in res.findings] == [("secrets.slack-bot-token", 9)]
    assert [(s.finding.location.line, s.suppression.reason) for s in res.suppressed] == [(7, "inline gitleaks:allow")]


def test_staged_sees_only_staged_added_lines(repo: Repo):
    repo.commit({"a.py": f"OLD = '{TOKEN}'\n"})
    (repo.root / "a.py").write_text(f"OLD = '{TOKEN}'\nNEW = '{OTHER}'\n")
    (repo.root / "unstaged.py").write_text(f"U = '{OTHER}'\n")
    repo.git("add", "a.py")
    res = scan(StagedTarget(repo.root))
    assert [(f.rule.id, f.location.path, f.location.line, f.location.commit) for f in res.findings] == [
        ("secrets.slack-bot-token", "a.py", 2, None)
    ]
    assert StagedTarget(repo.root).describe().kind == "staged"


def test_staged_in_a_fresh_repository_and_subdirectory(repo: Repo):
    (repo.root / "svc").mkdir()
    (repo.root / "svc" / "k.py").write_text(f"K = '{TOKEN}'\n")
    (repo.root / "other.py").write_text(f"O = '{OTHER}'\n")
    repo.git("add", "-A")
    res = scan(StagedTarget(repo.root / "svc"))
    assert [f.location.path for f in res.findings] == ["svc/k.py"]


def test_binary_files_and_renames(repo: Repo):
    repo.commit({"a.py": f"T = '{TOKEN}'\n"})
    (repo.root / "blob.bin").write_bytes(b"\x00\x01\x02" + TOKEN.encode())
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "binary")
    repo.git("mv", "a.py", "b.py")
    repo.git("commit", "-q", "-m", "rename")
    target = HistoryTarget(repo.root)
    res = scan(target)
    assert [(f.location.path) for f in res.findings] == ["a.py"]  # a pure rename adds no lines


def test_not_a_repository_and_bad_combinations(tmp_path: Path):
    with pytest.raises(InputError, match="not inside a git repository"):
        StagedTarget(tmp_path)
    with pytest.raises(UsageError, match="cannot be combined"):
        git_target(tmp_path, None, staged=True, history=True)
    with pytest.raises(UsageError, match="needs --git-history"):
        git_target(tmp_path, None, since="HEAD")
    assert git_target(tmp_path, None) is None


def test_cli_git_history_and_staged(cli, repo: Repo):
    repo.commit({"a.py": f"T = '{TOKEN}'\n"})
    r = cli("scan", str(repo.root), "--git-history", "--analyzer", "secrets", "-f", "json")
    doc = json.loads(r.out)
    assert_valid_report(doc)
    assert r.code == 1 and doc["target"]["kind"] == "git-history"
    assert doc["findings"][0]["location"]["commit"]["author"] == "Dana Dev"
    r = cli("scan", str(repo.root), "--staged", "--analyzer", "secrets")
    assert r.code == 0 and "no findings" in r.out
    # what the pre-commit hook (`garrison scan --staged --analyzer secrets`) does when a secret is staged
    (repo.root / "new.py").write_text(f"SLACK = '{OTHER}'\n")
    repo.git("add", "new.py")
    r = cli("scan", str(repo.root), "--staged", "--analyzer", "secrets", "--no-progress")
    assert r.code == 1 and "secrets.slack-bot-token  new.py:1" in r.out
    r = cli("scan", str(repo.root), "--since", "HEAD")
    assert r.code == 2 and "needs --git-history" in r.err
    # --branch without --git-history belongs to --push: it does not change what is scanned
    r = cli("scan", str(repo.root), "--branch", "main", "--analyzer", "secrets", "-f", "json")
    assert json.loads(r.out)["target"]["kind"] == "directory"
    r = cli("scan", str(repo.root), "--git-history", "--branch", "main", "--analyzer", "secrets", "-f", "json")
    assert json.loads(r.out)["target"]["detail"] == "branch main"
    r = cli("scan", str(repo.root), "--git-history", "--since", "v9")
    assert r.code == 2 and r.err.count("\n") == 1 and "unknown revision 'v9'" in r.err
