import os
from pathlib import Path

from garrison.scan.walk import WalkStats, walk


def make_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def paths(root: Path, **kw) -> list[str]:
    return sorted(rel for rel, _ in walk(str(root), **kw))


def test_nested_gitignore_with_negation(tmp_path):
    make_tree(
        tmp_path,
        {
            ".gitignore": "*.log\nbuild/\n",
            "app.py": "",
            "debug.log": "",
            "build/out.js": "",
            "sub/.gitignore": "!keep.log\nlocal.txt\n",
            "sub/keep.log": "",
            "sub/drop.log": "",
            "sub/local.txt": "",
            "sub/deeper/local.txt": "",
            "other/local.txt": "",
        },
    )
    assert paths(tmp_path) == [".gitignore", "app.py", "other/local.txt", "sub/.gitignore", "sub/keep.log"]


def test_garrisonignore_applies_even_without_gitignore(tmp_path):
    make_tree(
        tmp_path, {".gitignore": "a.txt\n", ".garrisonignore": "fixtures/\n", "a.txt": "", "fixtures/x": "", "b": ""}
    )
    assert paths(tmp_path, gitignore=False) == [".garrisonignore", ".gitignore", "a.txt", "b"]
    assert paths(tmp_path) == [".garrisonignore", ".gitignore", "b"]


def test_git_dir_and_info_exclude(tmp_path):
    make_tree(tmp_path, {".git/config": "", ".git/info/exclude": "secret.txt\n", "secret.txt": "", "ok.txt": ""})
    assert paths(tmp_path) == ["ok.txt"]


def test_include_and_exclude(tmp_path):
    make_tree(tmp_path, {"src/a.py": "", "src/vendor/b.py": "", "docs/c.md": "", "d.py": ""})
    assert paths(tmp_path, include=["src/"], exclude=["vendor/"]) == ["src/a.py"]
    assert paths(tmp_path, include=["*.py"]) == ["d.py", "src/a.py", "src/vendor/b.py"]


def test_size_limit_counts_skips(tmp_path):
    make_tree(tmp_path, {"small": "x", "big": "x" * 2000})
    stats = WalkStats()
    assert paths(tmp_path, max_file_size=1000, stats=stats) == ["small"]
    assert stats.skipped_large == 1
    assert stats.files_seen == 2


def test_symlinks_are_never_followed(tmp_path):
    outside = tmp_path / "outside"
    make_tree(outside, {"secret.txt": "s"})
    root = tmp_path / "root"
    make_tree(root, {"real.txt": "r"})
    os.symlink(outside, root / "link-dir")
    os.symlink(outside / "secret.txt", root / "link-file")
    os.symlink(root / "real.txt", root / "inside-link")
    stats = WalkStats()
    assert paths(root, stats=stats) == ["real.txt"]
    assert stats.skipped_symlinks == 3


def test_unreadable_directory_is_recorded_not_fatal(tmp_path):
    make_tree(tmp_path, {"ok.txt": "", "locked/x.txt": ""})
    (tmp_path / "locked").chmod(0)
    try:
        stats = WalkStats()
        found = paths(tmp_path, stats=stats)
        if os.geteuid() != 0:  # root reads everything
            assert found == ["ok.txt"]
            assert stats.skipped_unreadable == ["locked/"]
    finally:
        (tmp_path / "locked").chmod(0o755)


def test_order_is_deterministic(tmp_path):
    make_tree(tmp_path, {f"d{i}/f{j}": "" for i in range(3) for j in range(3)})
    first = [r for r, _ in walk(str(tmp_path))]
    assert first == [r for r, _ in walk(str(tmp_path))]
