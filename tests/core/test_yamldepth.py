import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from garrison.core.yamldepth import C_SAFE_NESTING, c_loader_safe, nesting_bound


def real_depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((real_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((real_depth(v) for v in value), default=0)
    return 0


@pytest.mark.parametrize(
    "text",
    ["a: 1\n", "a:\n  b:\n    - c\n    - [d, {e: f}]\n", "- - - x\n", "k: '[[[not flow'\n"],
)
def test_bound_is_at_least_the_real_depth(text):
    import yaml

    assert nesting_bound(text) >= real_depth(yaml.safe_load(text))


json_like = st.recursive(
    st.none() | st.integers() | st.text(max_size=5),
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=3), kids, max_size=3),
    max_leaves=30,
)


@given(json_like)
def test_bound_holds_for_any_dumped_document(value):
    import yaml

    for style in (False, None, True):
        text = yaml.safe_dump(value, default_flow_style=style)
        assert nesting_bound(text) >= real_depth(value)


@pytest.mark.parametrize("text", ["[" * 60_000 + "]" * 60_000, "- " * 60_000 + "x\n"])
def test_hostile_nesting_is_refused_before_libyaml_could_crash(text):
    assert not c_loader_safe(text)


def test_the_limit_is_far_below_where_libyaml_crashes():
    """What c_loader_safe lets through, libyaml composes without dying (run in a child: a crash would be a
    segmentation fault, not an exception)."""
    n = C_SAFE_NESTING // 2
    code = f"import yaml; yaml.load('[' * {n} + ']' * {n}, Loader=yaml.CSafeLoader); yaml.load('- ' * {n} + 'x', Loader=yaml.CSafeLoader)"
    assert c_loader_safe("[" * n + "]" * n)
    assert subprocess.run([sys.executable, "-c", code], timeout=60).returncode == 0


def test_deep_waivers_file_is_a_one_line_config_error(tmp_path):
    from garrison.core.errors import ConfigError
    from garrison.policy.waivers import load_waivers

    p = tmp_path / "waivers.yaml"
    p.write_text("waivers: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError, match="nested too deeply"):
        load_waivers(p)
