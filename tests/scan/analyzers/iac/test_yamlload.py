"""libyaml (C) and the pure-Python composer give identical documents, line numbers included; documents whose
nesting could overflow the C stack never reach libyaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from garrison.scan.analyzers.iac.parsers.yamlload import LineDict, YamlError, load_documents

REPO = Path(__file__).resolve().parents[4]


def dump(x: Any) -> Any:
    if isinstance(x, LineDict):
        return ("map", x.start_line, x.end_line, sorted(x.key_lines.items()), {k: dump(v) for k, v in x.items()})
    if isinstance(x, dict):
        return {k: dump(v) for k, v in x.items()}
    if isinstance(x, list):
        return [dump(v) for v in x]
    return (type(x).__name__, x)


def _yaml_files() -> list[Path]:
    roots = [REPO / "tests/fixtures/iac", REPO / "examples", REPO.parent / "shared/data/iac/cfngoat"]
    return sorted(p for r in roots if r.exists() for p in r.rglob("*") if p.suffix in (".yaml", ".yml"))


def test_libyaml_and_python_composers_agree_on_every_real_file(corpus: Path) -> None:
    files = _yaml_files()
    assert len(files) > 150
    for f in files:
        text = f.read_text()
        cfn = "AWSTemplateFormatVersion" in text or "Type: AWS::" in text
        assert dump(load_documents(text, cloudformation=cfn)) == dump(
            load_documents(text, cloudformation=cfn, pure=True)
        ), f


@pytest.mark.parametrize(
    "text",
    [
        "- " * 200_000 + "x\n",  # compact nested block sequences: would overflow libyaml's C recursion
        "[" * 200_000 + "]" * 200_000 + "\n",
        "".join(" " * i + "k:\n" for i in range(1_500)),
    ],
)
def test_deep_nesting_is_a_recorded_error_not_a_crash(text: str) -> None:
    with pytest.raises(YamlError, match="nested too deeply"):
        load_documents(text)
