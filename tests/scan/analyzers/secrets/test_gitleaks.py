"""gitleaks compatibility, proven on gitleaks' own data (../shared/data/secrets/gitleaks)."""

from __future__ import annotations

import re
import time
import tomllib
from pathlib import Path

import pytest

from garrison.core.errors import ConfigError
from garrison.core.finding import Commit
from garrison.core.options import Options
from garrison.scan import engine
from garrison.scan.analyzers.secrets import SecretsAnalyzer
from garrison.scan.analyzers.secrets.gitleaks import GITLEAKS_PREFIX, load_gitleaks_config
from garrison.scan.analyzers.secrets.matcher import Matcher
from garrison.scan.target import DirectoryTarget


@pytest.fixture
def gitleaks(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = corpus / "secrets" / "gitleaks"
    # gitleaks resolves extend.path against the working directory; its tests run in config/
    monkeypatch.chdir(root / "config")
    return root


def _extend_bases(valid: Path) -> set[str]:
    bases: set[str] = set()
    for f in valid.glob("*.toml"):
        path = tomllib.loads(f.read_text()).get("extend", {}).get("path")
        if path:
            bases.add(Path(path).name)
    return bases


def test_every_valid_gitleaks_config_loads(gitleaks: Path):
    valid = gitleaks / "testdata" / "config" / "valid"
    files = sorted(valid.glob("*.toml"))
    assert len(files) >= 30
    bases = _extend_bases(valid)
    loaded = 0
    failures: dict[str, str] = {}
    for f in files:
        try:
            load_gitleaks_config(f)
        except ConfigError as exc:
            failures[f.name] = exc.message
            continue
        loaded += 1
    # extend_base_1/2 are bases only: standalone they reach extend_base_2's missing extend_3.toml (gitleaks
    # fails the same way); through extend.toml gitleaks stops at depth 2 before it, and so do we
    assert set(failures) <= bases
    assert all("no such file '../testdata/config/extend_3.toml'" in m for m in failures.values())
    chain = load_gitleaks_config(valid / "extend.toml")
    assert {r.id for r in chain.rules} == {
        GITLEAKS_PREFIX + "aws-secret-key",
        GITLEAKS_PREFIX + "aws-access-key",
        GITLEAKS_PREFIX + "aws-secret-key-again",
    }
    assert loaded >= 29


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("allowlist_global_empty", "must contain at least one check for: commits, paths, regexes, or stopwords"),
        ("allowlist_global_old_and_new", "[allowlist] is deprecated, it cannot be used alongside [[allowlists]]"),
        ("allowlist_global_regextarget", "unknown allowlist |regexTarget| 'mtach'"),
        ("allowlist_global_target_rule_id", "target rule ID 'github-pat' does not exist"),
        ("allowlist_rule_empty", "must contain at least one check"),
        ("allowlist_rule_old_and_new", "[rules.allowlist] is deprecated"),
        ("allowlist_rule_regextarget", "unknown allowlist |regexTarget| 'mtach'"),
        ("extend_invalid_base", "extend.path: no such file"),
        ("extend_invalid_ruleid", "rule |id| is missing or empty"),
        ("rule_bad_entropy_group", "invalid regex secret group 5, max regex secret group 3"),
        ("rule_missing_id", "rule |id| is missing or empty, description: Discord API key"),
        ("rule_no_regex_or_path", "both |regex| and |path| are empty, this rule will have no effect"),
    ],
)
def test_every_invalid_gitleaks_config_is_rejected_with_one_line(gitleaks: Path, name: str, message: str):
    path = gitleaks / "testdata" / "config" / "invalid" / f"{name}.toml"
    with pytest.raises(ConfigError) as err:
        load_gitleaks_config(path)
    text = err.value.message
    assert message in text
    assert "\n" not in text and text.startswith(str(path))


def test_all_invalid_configs_are_covered(gitleaks: Path):
    names = {p.stem for p in (gitleaks / "testdata" / "config" / "invalid").glob("*.toml")}
    assert len(names) == 12


def test_default_gitleaks_config_compiles_all_222_rules_with_re2(gitleaks: Path):
    rs = load_gitleaks_config(gitleaks / "config" / "gitleaks.toml")
    assert len(rs.rules) == 222
    assert all(r.regex is None or r.regex.engine == "re2" for r in rs.rules)
    assert rs.allowlists and rs.allowlists[0].paths  # the global [allowlist]


def test_default_gitleaks_config_runs_over_gitleaks_testdata(gitleaks: Path):
    cfg = gitleaks / "config" / "gitleaks.toml"
    analyzer = SecretsAnalyzer(Options({"config": str(cfg)}, where="analyzers.secrets"))
    res = engine.run(DirectoryTarget(gitleaks / "testdata"), [analyzer], jobs=1)
    assert res.runs[0].errors == ()
    ids = {f.rule.id for f in res.findings}
    assert GITLEAKS_PREFIX + "aws-access-token" in ids
    assert GITLEAKS_PREFIX + "private-key" in ids
    assert all(f.rule.id.startswith(GITLEAKS_PREFIX) for f in res.findings)
    # the same tree with the built-in catalogue finds the same credentials
    builtin = engine.run(DirectoryTarget(gitleaks / "testdata"), [SecretsAnalyzer()], jobs=1)
    assert {(f.location.path, f.location.line) for f in builtin.findings} == {
        (f.location.path, f.location.line) for f in res.findings
    }


def _write(tmp_path: Path, text: str, name: str = "gl.toml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_rule_semantics_secret_group_entropy_keywords_path(tmp_path: Path):
    cfg = _write(
        tmp_path,
        """
[[rules]]
id = "discord-api-key"
description = "Discord API key"
regex = '''(?i)(discord[a-z0-9_ .\\-,]{0,25})(=|>|:=|\\|\\|:|<=|=>|:).{0,5}['\\"]([a-h0-9]{64})['\\"]'''
secretGroup = 3
entropy = 3.5
keywords = ["discord"]

[[rules]]
id = "py-only"
regex = '''tok_[a-z0-9]{12}'''
path = '''\\.py$'''
""",
    )
    m = Matcher(load_gitleaks_config(cfg))
    key = "a3f9c2e7b1d4" * 5 + "a3f9"
    hits = m.scan(f'discord_key = "{key}"\n'.encode(), "x.txt")
    assert [(h.rule.id, h.secret) for h in hits] == [(GITLEAKS_PREFIX + "discord-api-key", key)]
    assert m.scan(f'discord_key = "{"a" * 64}"\n'.encode(), "x.txt") == []  # entropy too low
    assert m.scan(b"tok_abc123def456\n", "a.txt") == []
    assert len(m.scan(b"tok_abc123def456\n", "a.py")) == 1


def test_allowlists_or_and_targets_stopwords_commits(tmp_path: Path):
    cfg = _write(
        tmp_path,
        """
[[rules]]
id = "tok"
regex = '''tok_([a-z0-9]{12})'''
[[rules.allowlists]]
regexes = ['''^dead''']
[[rules.allowlists]]
condition = "AND"
paths = ['''^fixtures/''']
stopwords = ["beef"]
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''nosecret''']
[[rules.allowlists]]
commits = ["AbC1234"]

[[allowlists]]
regexTarget = "match"
regexes = ['''tok_0{6}''']
""",
    )
    m = Matcher(load_gitleaks_config(cfg))

    def found(text: str, path: str = "a.py", sha: str | None = None) -> bool:
        return bool(m.scan(text.encode() + b"\n", path, sha))

    assert found("t = tok_a1b2c3d4e5f6")
    assert not found("t = tok_dead12345678")  # secret regex
    assert not found("t = tok_a1b2c3d4e5f6  # nosecret")  # line target
    assert not found("t = tok_000000a1b2c3")  # global, match target
    assert found("t = tok_beef12345678")  # AND: stopword alone is not enough
    assert found("t = tok_a1b2c3d4e5f6", "fixtures/x.py")  # AND: path alone is not enough
    assert not found("t = tok_beef12345678", "fixtures/x.py")  # AND: both
    assert not found("t = tok_a1b2c3d4e5f6", sha="abc1234")  # commits are case-insensitive
    assert found("t = tok_a1b2c3d4e5f6", sha="fff0000")


def test_extend_overrides_and_disabled_rules(gitleaks: Path):
    valid = gitleaks / "testdata" / "config" / "valid"
    by_id = {r.id: r for r in load_gitleaks_config(valid / "extend_rule_override_entropy.toml").rules}
    assert by_id[GITLEAKS_PREFIX + "aws-access-key"].entropy == 999
    by_id = {r.id: r for r in load_gitleaks_config(valid / "extend_rule_override_regex.toml").rules}
    assert by_id[GITLEAKS_PREFIX + "aws-access-key"].regex.source == "(?:a)"
    by_id = {r.id: r for r in load_gitleaks_config(valid / "extend_rule_override_keywords.toml").rules}
    assert "puppy" in by_id[GITLEAKS_PREFIX + "aws-access-key"].keywords
    ids = {r.id for r in load_gitleaks_config(valid / "extend_disabled.toml").rules}
    assert GITLEAKS_PREFIX + "custom-rule1" not in ids and GITLEAKS_PREFIX + "pypi-upload-token" in ids
    allow = {r.id: r for r in load_gitleaks_config(valid / "extend_rule_allowlist_and.toml").rules}
    lists = allow[GITLEAKS_PREFIX + "aws-secret-key-again-again"].allowlists
    assert [a.condition for a in lists] == ["or", "and"]


def test_use_default_extends_the_builtin_catalogue_through_gitleaks_ids(gitleaks: Path, tmp_path: Path):
    rs = load_gitleaks_config(gitleaks / "testdata" / "config" / "valid" / "allowlist_rule_extend_default.toml")
    generic = next(r for r in rs.rules if r.id == "secrets.generic-api-key")
    assert generic.allowlists and generic.allowlists[-1].paths[0].source.startswith("^path/to/your")
    cfg = _write(
        tmp_path,
        '[extend]\nuseDefault = true\ndisabledRules = ["github-pat", "aws-access-token"]\n',
    )
    ids = {r.id for r in load_gitleaks_config(cfg).rules}
    assert "secrets.github-pat" not in ids and "secrets.aws-access-key-id" not in ids
    assert "secrets.slack-bot-token" in ids


@pytest.mark.parametrize("prefilter", ["portable", "hyperscan"])
def test_user_regexes_cannot_hang_the_scan(tmp_path: Path, prefilter: str):
    cfg = _write(
        tmp_path,
        """
[[rules]]
id = "catastrophic"
regex = '''(a+)+$'''
[[rules]]
id = "lookahead"
regex = '''(?=x)(x+x+)+y'''
""",
    )
    rs = load_gitleaks_config(cfg)
    engines = {r.id: r.regex.engine for r in rs.rules}
    assert engines == {GITLEAKS_PREFIX + "catastrophic": "re2", GITLEAKS_PREFIX + "lookahead": "regex"}
    assert any("time-bounded" in n for n in rs.notes)
    analyzer = SecretsAnalyzer(Options({"config": str(cfg), "prefilter": prefilter}, where="analyzers.secrets"))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "evil.txt").write_text("a" * 50_000 + "b\n" + "x" * 20_000 + "\n")
    t0 = time.perf_counter()
    res = engine.run(DirectoryTarget(tmp_path / "src"), [analyzer], jobs=1)
    assert time.perf_counter() - t0 < 10
    errors = res.runs[0].errors
    assert res.findings == ()
    if prefilter == "portable":
        # RE2 cannot express the look-ahead: the backtracking engine runs it and hits its time bound
        assert [e.kind for e in errors] == ["input"]
        assert re.search(r"lookahead exceeded its time bound", errors[0].message)
    else:
        # hyperscan's over-approximation of the pattern needs a "y": the rule never even runs
        assert errors == ()


def test_gitleaks_allow_marker_suppresses(tmp_path: Path):
    (tmp_path / "app.py").write_text('TOKEN = "ghp_Zq8Rn2LkT4vW9xY1bC3dE5fG7hJ0mN6pQs2T"  # gitleaks:allow\n')
    res = engine.run(DirectoryTarget(tmp_path), [SecretsAnalyzer()], jobs=1)
    assert res.findings == ()
    assert [s.suppression.reason for s in res.suppressed] == ["inline gitleaks:allow"]


def test_commit_allowlist_applies_to_history_fragments(tmp_path: Path):
    cfg = _write(
        tmp_path, "[[rules]]\nid='t'\nregex='''tok_[a-z0-9]{12}'''\n[[rules.allowlists]]\ncommits=['c0ffee']\n"
    )
    m = Matcher(load_gitleaks_config(cfg))
    assert m.scan(b"tok_a1b2c3d4e5f6\n", "a", Commit("c0ffee").sha) == []
    assert m.scan(b"tok_a1b2c3d4e5f6\n", "a", "beef") != []


# -- composite rules ([[rules.required]], gitleaks v8.28) -------------------------------------------------

PRI = "k7Qm2Xv9Lp"  # the primary rule's secret (PRI_…)
AUX = "r4Tn8Wc1Zb"  # an auxiliary rule's secret (AUX_…)
OTHER = "h3Jd6Ys5Fq"  # a second auxiliary rule's secret (OTH_…)


def _composite(tmp_path: Path, required: str, *, aux_extra: str = "skipReport = true") -> Matcher:
    cfg = _write(
        tmp_path,
        f"""
[[rules]]
id = "primary"
regex = '''PRI_([A-Za-z0-9]{{10}})'''
{required}

[[rules]]
id = "aux"
regex = '''AUX_([A-Za-z0-9]{{10}})'''
{aux_extra}

[[rules]]
id = "other"
regex = '''OTH_([A-Za-z0-9]{{10}})'''
skipReport = true
""",
    )
    return Matcher(load_gitleaks_config(cfg))


def _reported(m: Matcher, text: str, line_map: tuple[int, ...] | None = None) -> list[tuple[str, int, int]]:
    """(short rule id, line, column) of the hits that would be findings (skipReport ones are not)."""
    hits = m.scan(text.encode(), "a.txt", line_map=line_map)
    return [(h.rule.id.removeprefix(GITLEAKS_PREFIX), h.line, h.column) for h in hits if not h.rule.skip_report]


def test_composite_rule_of_gitleaks_testdata_reports_only_with_its_required_rule(gitleaks: Path, tmp_path: Path):
    cfg = gitleaks / "testdata" / "config" / "composite.toml"
    rs = load_gitleaks_config(cfg)
    assert rs.notes == []  # composite rules are no longer ignored with a warning
    src = tmp_path / "src"
    src.mkdir()
    (src / "both.env").write_text('username = "jdoe_prod"\n\npassword = "Xk9#mPq2vL"\n')
    (src / "alone.env").write_text('password = "Xk9#mPq2vL"\n')
    analyzer = SecretsAnalyzer(Options({"config": str(cfg)}, where="analyzers.secrets"))
    res = engine.run(DirectoryTarget(src), [analyzer], jobs=1)
    assert res.runs[0].errors == ()
    # the username rule has skipReport: it only serves the primary rule
    assert [(f.rule.id, f.location.path, f.location.line) for f in res.findings] == [
        (GITLEAKS_PREFIX + "primary-rule", "both.env", 3)
    ]
    evidence = res.findings[0].evidence
    assert evidence["required"] == (GITLEAKS_PREFIX + "username-rule at line 1, column 13: jdoe…[9 chars]",)
    assert "jdoe_prod" not in repr(res.findings[0])  # the auxiliary secret is redacted like every secret
    shown = engine.run(DirectoryTarget(src), [analyzer], jobs=1, show_secrets=True)
    assert shown.findings[0].evidence["required"] == (
        GITLEAKS_PREFIX + "username-rule at line 1, column 13: jdoe_prod",
    )


def test_composite_within_lines_is_inclusive_in_both_directions(tmp_path: Path):
    m = _composite(tmp_path, "[[rules.required]]\nid = 'aux'\nwithinLines = 4")
    assert _reported(m, f"PRI_{PRI}\n\n\n\nAUX_{AUX}\n") == [("primary", 1, 5)]  # +4 lines
    assert _reported(m, f"PRI_{PRI}\n\n\n\n\nAUX_{AUX}\n") == []  # +5 lines
    assert _reported(m, f"AUX_{AUX}\n\n\n\nPRI_{PRI}\n") == [("primary", 5, 5)]  # -4 lines
    assert _reported(m, f"AUX_{AUX}\n\n\n\n\nPRI_{PRI}\n") == []  # -5 lines
    assert _reported(m, f"PRI_{PRI}\n") == []


def test_composite_within_columns_compares_the_secrets_start_columns(tmp_path: Path):
    m = _composite(tmp_path, "[[rules.required]]\nid = 'aux'\nwithinColumns = 3")
    # secrets start after the 4-character prefix: columns 5 and 5 + indent
    assert _reported(m, f"PRI_{PRI}\n{' ' * 3}AUX_{AUX}\n") == [("primary", 1, 5)]  # +3 columns
    assert _reported(m, f"PRI_{PRI}\n{' ' * 4}AUX_{AUX}\n") == []  # +4 columns
    assert _reported(m, f"{' ' * 3}PRI_{PRI}\nAUX_{AUX}\n") == [("primary", 1, 8)]  # -3 columns
    assert _reported(m, f"{' ' * 4}PRI_{PRI}\nAUX_{AUX}\n") == []  # -4 columns
    # no line bound: far below, same column, still counts
    assert _reported(m, f"PRI_{PRI}\n" + "\n" * 50 + f" AUX_{AUX}\n") == [("primary", 1, 5)]


def test_composite_lines_and_columns_make_a_rectangle(tmp_path: Path):
    m = _composite(tmp_path, "[[rules.required]]\nid = 'aux'\nwithinLines = 4\nwithinColumns = 3")
    pri = f"{' ' * 5}PRI_{PRI}\n"  # secret at column 10
    assert _reported(m, pri + f"\n{' ' * 6}AUX_{AUX}\n") == [("primary", 1, 10)]  # +2L/+1C
    assert _reported(m, pri + f"\n\n\n\n{' ' * 8}AUX_{AUX}\n") == []  # +5L/+3C: out of lines
    assert _reported(m, pri + f"\n{' ' * 9}AUX_{AUX}\n") == []  # +2L/+4C: in lines, out of columns
    assert _reported(m, pri + f"\n\n\n{' ' * 2}AUX_{AUX}\n") == [("primary", 1, 10)]  # +4L/-3C: the corner


def test_composite_proximity_uses_the_files_line_numbers_in_a_fragment(tmp_path: Path):
    m = _composite(tmp_path, "[[rules.required]]\nid = 'aux'\nwithinLines = 4")
    text = f"PRI_{PRI}\nAUX_{AUX}\n"
    assert _reported(m, text) == [("primary", 1, 5)]
    # two added lines of one commit's diff, adjacent in the fragment but 290 lines apart in the file
    assert _reported(m, text, line_map=(10, 300)) == []
    assert _reported(m, text, line_map=(10, 14)) == [("primary", 1, 5)]


def test_composite_without_bounds_needs_the_required_rule_anywhere_in_the_fragment(tmp_path: Path):
    m = _composite(tmp_path, "[[rules.required]]\nid = 'aux'")
    assert _reported(m, f"AUX_{AUX}\n" + "\n" * 500 + f"{' ' * 70}PRI_{PRI}\n") == [("primary", 502, 75)]
    assert _reported(m, f"PRI_{PRI}\n") == []


def test_composite_every_required_entry_must_be_satisfied(tmp_path: Path):
    m = _composite(tmp_path, "[[rules.required]]\nid = 'aux'\nwithinLines = 2\n[[rules.required]]\nid = 'other'")
    assert _reported(m, f"PRI_{PRI}\nAUX_{AUX}\n") == []
    assert _reported(m, f"PRI_{PRI}\nOTH_{OTHER}\n") == []
    assert _reported(m, f"PRI_{PRI}\n\n\nAUX_{AUX}\nOTH_{OTHER}\n") == []  # aux too far
    assert _reported(m, f"OTH_{OTHER}\n\n\n\nPRI_{PRI}\nAUX_{AUX}\n") == [("primary", 5, 5)]
    (hit,) = [h for h in m.scan(f"OTH_{OTHER}\n\n\n\nPRI_{PRI}\nAUX_{AUX}\n".encode(), "a") if h.required]
    # the nearest match of each entry, in the rule's order
    assert [(a.rule.id, a.line) for a in hit.required] == [(GITLEAKS_PREFIX + "aux", 6), (GITLEAKS_PREFIX + "other", 1)]


def test_composite_required_rule_without_skip_report_still_reports(tmp_path: Path):
    m = _composite(tmp_path, "[[rules.required]]\nid = 'aux'", aux_extra="")
    assert _reported(m, f"PRI_{PRI}\nAUX_{AUX}\n") == [("primary", 1, 5), ("aux", 2, 5)]
    assert _reported(m, f"AUX_{AUX}\n") == [("aux", 1, 5)]
    src = tmp_path / "src"
    src.mkdir()
    (src / "both.txt").write_text(f"PRI_{PRI}\nAUX_{AUX}\n")
    (src / "aux.txt").write_text(f"AUX_{AUX}\n")
    analyzer = SecretsAnalyzer(Options({"config": str(tmp_path / "gl.toml")}, where="analyzers.secrets"))
    res = engine.run(DirectoryTarget(src), [analyzer], jobs=1)
    assert sorted((f.location.path, f.rule.id.removeprefix(GITLEAKS_PREFIX)) for f in res.findings) == [
        ("aux.txt", "aux"),
        ("both.txt", "aux"),
        ("both.txt", "primary"),
    ]


def test_composite_allowlisted_or_inline_allowed_auxiliary_does_not_count(tmp_path: Path):
    cfg = _write(
        tmp_path,
        """
[[rules]]
id = "primary"
regex = '''PRI_([A-Za-z0-9]{10})'''
[[rules.required]]
id = "aux"

[[rules]]
id = "aux"
regex = '''AUX_([A-Za-z0-9]{10})'''
skipReport = true
[[rules.allowlists]]
regexes = ['''^dead''']
""",
    )
    src = tmp_path / "src"
    src.mkdir()
    (src / "ok.txt").write_text(f"PRI_{PRI}\nAUX_{AUX}\n")
    (src / "allowlisted.txt").write_text(f"PRI_{PRI}\nAUX_dead{AUX[:6]}\n")
    (src / "gitleaks_allow.txt").write_text(f"PRI_{PRI}\nAUX_{AUX}  # gitleaks:allow\n")
    (src / "garrison_allow.txt").write_text(f"PRI_{PRI}\nAUX_{AUX}  # garrison:allow test user\n")
    (src / "ignore_other_rule.txt").write_text(f"PRI_{PRI}\nAUX_{AUX}  # garrison:ignore secrets.github-pat\n")
    (src / "primary_allowed.txt").write_text(f"PRI_{PRI}  # gitleaks:allow\nAUX_{AUX}\n")
    analyzer = SecretsAnalyzer(Options({"config": str(cfg)}, where="analyzers.secrets"))
    res = engine.run(DirectoryTarget(src), [analyzer], jobs=1)
    assert sorted(f.location.path for f in res.findings) == ["ignore_other_rule.txt", "ok.txt"]
    # a primary match on an allowed line is suppressed as usual (and stays in the report)
    assert [s.finding.location.path for s in res.suppressed] == ["primary_allowed.txt"]


def test_composite_required_ids_resolve_after_extend(tmp_path: Path):
    _write(tmp_path, "[[rules]]\nid = 'aux'\nregex = '''AUX_([A-Za-z0-9]{10})'''\n", name="base.toml")
    cfg = _write(
        tmp_path,
        f"""
[extend]
path = "{tmp_path / "base.toml"}"

[[rules]]
id = "primary"
regex = '''PRI_([A-Za-z0-9]{{10}})'''
[[rules.required]]
id = "aux"
withinLines = 1
""",
    )
    by_id = {r.id: r for r in load_gitleaks_config(cfg).rules}
    (need,) = by_id[GITLEAKS_PREFIX + "primary"].required
    assert (need.rule_id, need.within_lines, need.within_columns) == (GITLEAKS_PREFIX + "aux", 1, None)
    # a rule overriding a composite base rule keeps its requirements unless it gives its own
    override = _write(
        tmp_path,
        f'[extend]\npath = "{cfg}"\n[[rules]]\nid = "primary"\ndescription = "Primary, renamed"\n',
        name="override.toml",
    )
    by_id = {r.id: r for r in load_gitleaks_config(override).rules}
    assert by_id[GITLEAKS_PREFIX + "primary"].title == "Primary, renamed"
    assert by_id[GITLEAKS_PREFIX + "primary"].required == (need,)
    override.write_text(
        f'[extend]\npath = "{cfg}"\n[[rules]]\nid = "primary"\n[[rules.required]]\nid = "aux"\nwithinColumns = 7\n'
    )
    (mine,) = {r.id: r for r in load_gitleaks_config(override).rules}[GITLEAKS_PREFIX + "primary"].required
    assert (mine.within_lines, mine.within_columns) == (None, 7)
    # useDefault: a gitleaks default id names the built-in rule it corresponds to
    cfg2 = _write(
        tmp_path,
        "[extend]\nuseDefault = true\n[[rules]]\nid = 'p'\nregex = '''PRI_([A-Za-z0-9]{10})'''\n"
        "[[rules.required]]\nid = 'aws-access-token'\n",
        name="gl2.toml",
    )
    p = next(r for r in load_gitleaks_config(cfg2).rules if r.id == GITLEAKS_PREFIX + "p")
    assert [q.rule_id for q in p.required] == ["secrets.aws-access-key-id"]
    with pytest.raises(ConfigError, match=r"disabled_rules: rule 'secrets.aws-access-key-id' is required by"):
        SecretsAnalyzer(
            Options({"config": str(cfg2), "disabled_rules": ["secrets.aws-access-key-id"]}, where="analyzers.secrets")
        )


_BAD_REQUIRED = [
    ("id = 'nope'", "rules[0].required[0]: primary: required rule ID 'nope' does not exist"),
    ("id = 'aux'\nwithinLines = -1", "rules[0].required[0]: withinLines: expected a non-negative integer, got -1"),
    ("id = 'aux'\nwithinColumns = 2.5", "rules[0].required[0]: withinColumns: expected a non-negative integer"),
    ("id = 'aux'\nwithinLines = true", "rules[0].required[0]: withinLines: expected a non-negative integer"),
    ("id = 'aux'\nwithinLine = 3", "rules[0].required[0]: unknown key 'withinline'"),
    ("withinLines = 3", "rules[0].required[0]: id: expected the id of another rule"),
]


def _bad_required_config(tmp_path: Path, table: str) -> Path:
    return _write(
        tmp_path,
        "[[rules]]\nid = 'primary'\nregex = '''PRI_[a-z]{8}'''\n[[rules.required]]\nid = 'aux'\n"
        f"[[rules.required]]\n{table}\n\n[[rules]]\nid = 'aux'\nregex = '''AUX_[a-z]{{8}}'''\n",
        name="bad.toml",
    )


@pytest.mark.parametrize(("table", "message"), _BAD_REQUIRED)
def test_composite_config_errors_name_the_file_and_the_entry(tmp_path: Path, table: str, message: str):
    cfg = _bad_required_config(tmp_path, table)
    with pytest.raises(ConfigError) as err:
        load_gitleaks_config(cfg)
    # the bad entry is the rule's second one
    assert err.value.message.startswith(f"{cfg}: " + message.replace("required[0]", "required[1]"))
    assert "\n" not in err.value.message


@pytest.mark.parametrize(("table", "message"), _BAD_REQUIRED[:2] + _BAD_REQUIRED[4:5])
def test_composite_config_errors_exit_2_with_one_line(cli, tmp_path: Path, table: str, message: str):
    cfg = _bad_required_config(tmp_path, table)
    (tmp_path / "src").mkdir()
    r = cli("scan", "--secrets-config", str(cfg), str(tmp_path / "src"))
    assert r.code == 2
    assert r.err.count("\n") == 1
    assert f"bad.toml: {message.replace('required[0]', 'required[1]')}" in r.err
