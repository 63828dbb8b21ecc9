"""Rule loading is defensive: hostile or broken rule files become reported problems, never a crash or a hang."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from garrison.core.errors import InputError
from garrison.detect.rules import MAX_RULE_FILE, collect, parse

OK = (
    "title: ok\nid: 3e1c1f4e-0000-4000-8000-000000000001\nlevel: low\nlogsource:\n  product: linux\n"
    "detection:\n  sel:\n    a: b\n  condition: sel\n"
)


def test_hostile_yaml_is_reported(tmp_path: Path) -> None:
    d = tmp_path / "rules"
    d.mkdir()
    bomb = "a: &a ['x','x','x','x','x','x','x','x','x']\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
        for i in range(8)
    )
    (d / "bomb.yml").write_text(
        "title: bomb\nlogsource:\n  product: linux\ndetection:\n  sel:\n    f: &x [a, b]\n"
        + "".join(f"  s{i}:\n    f: *x\n" for i in range(3))
        + "  condition: sel\n"
        + bomb
    )
    (d / "deep.yml").write_text("title: deep\nx: " + "[" * 100000 + "]" * 100000 + "\n")
    (d / "indent.yml").write_text("title: indent\nx:\n  " + "- " * 30_000 + "x\n")
    (d / "tags.yml").write_text("!!python/object/apply:os.system ['touch pwned']\n")
    (d / "dupkey.yml").write_text(OK + "title: again\n")
    (d / "binary.yml").write_bytes(b"\xff\xfe\x00garbage")
    (d / "big.yml").write_text("# " + "x" * (MAX_RULE_FILE + 1))
    (d / "ok.yml").write_text(OK)
    t0 = time.perf_counter()
    files = collect([d])
    parsed = parse(files.files)
    assert time.perf_counter() - t0 < 20
    problems = {Path(p.path).name: p.reason for p in files.problems + parsed.problems}
    assert set(problems) == {"bomb.yml", "deep.yml", "indent.yml", "tags.yml", "dupkey.yml", "binary.yml", "big.yml"}, (
        problems
    )
    assert "too large" in problems["big.yml"] and "UTF-8" in problems["binary.yml"]
    assert "invalid YAML" in problems["indent.yml"] and "invalid YAML" in problems["deep.yml"]
    assert "invalid YAML" in problems["tags.yml"] and "Duplicate key" in problems["dupkey.yml"]
    assert [r.title for r in parsed.collection.rules] == ["ok"]
    assert not (tmp_path / "pwned").exists()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_release_is_read_in_memory_with_limits(tmp_path: Path) -> None:
    z = tmp_path / "sigma.zip"
    z.write_bytes(
        _zip(
            {
                "rules/ok.yml": OK.encode(),
                "../../escape.yml": OK.replace("ok", "esc").encode(),
                "rules/huge.yml": b"#" * (MAX_RULE_FILE + 10),
                "README.md": b"x",
            }
        )
    )
    files = collect([z])
    names = sorted(f.name.split("!")[1] for f in files.files)
    assert names == ["../../escape.yml", "rules/ok.yml"]  # a name inside the archive, never a path on disk
    assert not (tmp_path.parent / "escape.yml").exists()
    assert [p.reason for p in files.problems] == [f"member too large ({MAX_RULE_FILE + 10} bytes)"]
    assert sorted(r.title for r in parse(files.files).collection.rules) == ["esc", "ok"]


def test_not_a_zip_and_missing_paths_are_user_errors(tmp_path: Path) -> None:
    bad = tmp_path / "x.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="not a readable zip archive"):
        collect([bad])
    with pytest.raises(InputError, match="rules path not found"):
        collect([tmp_path / "nope"])


def test_dangling_correlation_reference_is_that_rules_problem_only() -> None:
    from garrison.detect.rules import RuleFile

    corr = (
        "title: c\nid: 3e1c1f4e-0000-4000-8000-0000000000c1\ncorrelation:\n  type: event_count\n"
        "  rules: [does_not_exist]\n  timespan: 1m\n  condition:\n    gte: 2\n"
    )
    parsed = parse([RuleFile("ok.yml", OK.encode()), RuleFile("c.yml", corr.encode())])
    assert [r.title for r in parsed.collection.rules] == ["ok"]
    assert any("does_not_exist" in p.reason for p in parsed.problems)
