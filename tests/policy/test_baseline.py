import json

import pytest

from garrison.core.errors import ConfigError
from garrison.policy.baseline import apply_baseline, load_baseline, render_baseline
from tests.factories import finding


def test_round_trip_and_apply(tmp_path):
    old = [finding(anchor="a"), finding(anchor="b")]
    p = tmp_path / "baseline.json"
    p.write_text(render_baseline(old))
    base = load_baseline(p)
    new = finding(anchor="c")
    kept, known = apply_baseline([*old, new], base)
    assert kept == (new,)
    assert {s.finding for s in known} == set(old)
    assert all(s.suppression.kind == "baseline" for s in known)


def test_render_is_deterministic_and_sorted():
    fs = [finding(anchor=str(i)) for i in range(5)]
    a = render_baseline(fs)
    assert a == render_baseline(list(reversed(fs)))
    fps = [e["fingerprint"] for e in json.loads(a)["findings"]]
    assert fps == sorted(fps)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", r"invalid JSON at line 1"),
        ('{"format": "other"}', r"not a Garrison baseline"),
        ('{"format": "garrison-baseline", "version": 9, "findings": []}', r"version: unsupported baseline version 9"),
        (
            '{"format": "garrison-baseline", "version": 1, "findings": [{"rule": "x"}]}',
            r"findings\[0\].fingerprint: missing",
        ),
    ],
)
def test_bad_baseline(tmp_path, text, message):
    p = tmp_path / "b.json"
    p.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_baseline(p)
