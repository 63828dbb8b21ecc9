"""The reimport and lifecycle rules as pure functions, exhaustively and with hypothesis."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.server.findings.lifecycle import (
    ACTIVE,
    TRACKED_FIELDS,
    Known,
    Observed,
    Plan,
    RiskState,
    Scope,
    Status,
    TriageError,
    TriageRequest,
    check_triage,
    expired_risks,
    plan_reimport,
    sla_view,
)


def fields(**kw: Any) -> dict[str, Any]:
    base = dict.fromkeys(TRACKED_FIELDS)
    base.update(severity=3, title="t", message="m", path="a.py", line=1, fix_available=False, fix_versions=[])
    base.update(kw)
    return base


def apply(known: dict[str, Known], plan: Plan, scope: Scope) -> dict[str, Known]:
    """A reference in-memory application of a plan (what the database does)."""
    by_id = {k.id: k for k in known.values()}
    next_id = max(by_id, default=0) + 1
    out = dict(known)
    for obs in plan.create:
        out[obs.fingerprint] = Known(
            next_id, obs.fingerprint, obs.analyzer, Status.OPEN, frozenset({scope.branch}), dict(obs.fields)
        )
        next_id += 1
    seen = dict(plan.seen)
    for fp, k in list(out.items()):
        branches = set(k.branches)
        status = k.status
        flds = dict(k.fields)
        if k.id in plan.add_branch:
            branches.add(scope.branch)
        if k.id in plan.remove_branch:
            branches.discard(scope.branch)
        for t in plan.transitions:
            if t.finding_id == k.id:
                assert t.old == status
                status = t.new
        if k.id in seen:
            flds = dict(seen[k.id].fields)
        out[fp] = Known(k.id, fp, k.analyzer, status, frozenset(branches), flds)
    return out


# ------------------------------------------------------------------ examples


def test_new_findings_are_created_and_identical_upload_changes_nothing() -> None:
    scope = Scope("main", frozenset({"secrets"}))
    obs = [Observed("fp1", "secrets", fields()), Observed("fp2", "secrets", fields(path="b.py"))]
    plan = plan_reimport({}, obs, scope)
    assert [o.fingerprint for o in plan.create] == ["fp1", "fp2"]
    state = apply({}, plan, scope)
    again = plan_reimport(state, obs, scope)
    assert again.is_noop
    assert again.counts() == {"new": 0, "fixed": 0, "reopened": 0, "updated": 0, "unchanged": 2}


def test_absent_from_full_scan_is_fixed_then_reopened_when_seen_again() -> None:
    scope = Scope("main", frozenset({"secrets"}))
    obs = [Observed("fp1", "secrets", fields())]
    state = apply({}, plan_reimport({}, obs, scope), scope)
    gone = plan_reimport(state, [], scope)
    assert [(t.old, t.new) for t in gone.transitions] == [(Status.OPEN, Status.FIXED)]
    state = apply(state, gone, scope)
    assert state["fp1"].branches == frozenset()
    back = plan_reimport(state, obs, scope)
    assert [(t.old, t.new) for t in back.transitions] == [(Status.FIXED, Status.REOPENED)]
    assert back.add_branch == [state["fp1"].id]


def test_other_branch_never_closes_and_shared_finding_stays_open_until_gone_everywhere() -> None:
    main = Scope("main", frozenset({"secrets"}))
    feature = Scope("feature", frozenset({"secrets"}))
    obs = [Observed("fp1", "secrets", fields())]
    state = apply({}, plan_reimport({}, obs, main), main)
    # a scan of another branch without it: the finding is not on that branch, nothing changes
    assert plan_reimport(state, [], feature).is_noop
    state = apply(state, plan_reimport(state, obs, feature), feature)
    assert state["fp1"].branches == {"main", "feature"}
    p = plan_reimport(state, [], feature)
    assert p.transitions == [] and p.remove_branch == [state["fp1"].id]
    state = apply(state, p, feature)
    p = plan_reimport(state, [], main)
    assert [t.new for t in p.transitions] == [Status.FIXED]


def test_other_analyzer_set_never_closes() -> None:
    both = Scope("main", frozenset({"secrets", "deps"}))
    obs = [Observed("s1", "secrets", fields()), Observed("d1", "deps", fields())]
    state = apply({}, plan_reimport({}, obs, both), both)
    only_deps = Scope("main", frozenset({"deps"}))
    p = plan_reimport(state, [Observed("d1", "deps", fields())], only_deps)
    assert p.is_noop
    p = plan_reimport(state, [], only_deps)
    assert [t.finding_id for t in p.transitions] == [state["d1"].id]


def test_partial_scan_closes_nothing() -> None:
    scope = Scope("main", frozenset({"secrets"}))
    state = apply({}, plan_reimport({}, [Observed("fp1", "secrets", fields())], scope), scope)
    assert plan_reimport(state, [], Scope("main", frozenset({"secrets"}), partial=True)).is_noop


def test_file_the_analyzer_could_not_read_keeps_its_findings() -> None:
    scope = Scope("main", frozenset({"secrets"}))
    state = apply({}, plan_reimport({}, [Observed("fp1", "secrets", fields(path="bad.py"))], scope), scope)
    skipped = Scope("main", frozenset({"secrets"}), skipped=frozenset({("secrets", "bad.py")}))
    assert plan_reimport(state, [], skipped).is_noop


def test_changed_fields_are_updated_and_recorded() -> None:
    scope = Scope("main", frozenset({"deps"}))
    state = apply({}, plan_reimport({}, [Observed("fp1", "deps", fields())], scope), scope)
    changed = Observed("fp1", "deps", fields(severity=4, fix_available=True, fix_versions=["2.0"], line=7))
    p = plan_reimport(state, [changed], scope)
    assert sorted((c.field, repr(c.old), repr(c.new)) for c in p.changes) == [
        ("fix_available", "False", "True"),
        ("fix_versions", "[]", "['2.0']"),
        ("line", "1", "7"),
        ("severity", "3", "4"),
    ]
    assert p.transitions == [] and p.counts()["updated"] == 1
    assert plan_reimport(apply(state, p, scope), [changed], scope).is_noop


@pytest.mark.parametrize("status", [Status.FALSE_POSITIVE, Status.ACCEPTED_RISK, Status.DUPLICATE])
def test_triaged_findings_keep_their_status_through_reimports(status: Status) -> None:
    scope = Scope("main", frozenset({"secrets"}))
    k = Known(1, "fp1", "secrets", status, frozenset({"main"}), fields())
    assert plan_reimport({"fp1": k}, [Observed("fp1", "secrets", fields())], scope).is_noop
    gone = plan_reimport({"fp1": k}, [], scope)
    assert gone.transitions == [] and gone.remove_branch == [1]


# ------------------------------------------------------------------ properties

FPS = [f"fp{i}" for i in range(8)]
observed_st = st.lists(
    st.builds(
        Observed,
        st.sampled_from(FPS),
        st.sampled_from(["secrets", "deps"]),
        st.builds(fields, severity=st.integers(0, 4), line=st.integers(1, 3), fix_available=st.booleans()),
    ),
    max_size=8,
)
scope_st = st.builds(
    Scope,
    st.sampled_from(["main", "dev"]),
    st.frozensets(st.sampled_from(["secrets", "deps"]), min_size=1),
    st.booleans(),
)


def consistent(obs: list[Observed]) -> list[Observed]:
    """A fingerprint belongs to one analyzer (it hashes it)."""
    out = []
    for o in obs:
        out.append(Observed(o.fingerprint, "deps" if int(o.fingerprint[2:]) % 2 else "secrets", o.fields))
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(observed_st, scope_st), max_size=6), observed_st, scope_st)
def test_property_identical_reupload_is_a_noop(history: list[Any], last: list[Observed], scope: Scope) -> None:
    state: dict[str, Known] = {}
    for obs, sc in history:
        state = apply(state, plan_reimport(state, consistent(obs), sc), sc)
    last = consistent(last)
    state = apply(state, plan_reimport(state, last, scope), scope)
    assert plan_reimport(state, last, scope).is_noop


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(observed_st, scope_st), max_size=6), observed_st, scope_st)
def test_property_nothing_outside_the_scope_is_closed(history: list[Any], obs: list[Observed], scope: Scope) -> None:
    state: dict[str, Known] = {}
    for o, sc in history:
        state = apply(state, plan_reimport(state, consistent(o), sc), sc)
    plan = plan_reimport(state, consistent(obs), scope)
    by_id = {k.id: k for k in state.values()}
    for fid in plan.remove_branch:
        k = by_id[fid]
        assert k.analyzer in scope.analyzers and scope.branch in k.branches and not scope.partial
    for t in plan.transitions:
        if t.new == Status.FIXED:
            k = by_id[t.finding_id]
            assert k.branches == {scope.branch} and k.analyzer in scope.analyzers and k.status in ACTIVE
    new_state = apply(state, plan, scope)
    for fp, k in state.items():
        if k.analyzer not in scope.analyzers or scope.partial:
            assert new_state[fp].status == k.status or new_state[fp].status == Status.REOPENED
            assert new_state[fp].branches >= k.branches


@settings(max_examples=200, deadline=None)
@given(observed_st, scope_st)
def test_property_every_observed_finding_is_active_or_triaged_after(obs: list[Observed], scope: Scope) -> None:
    obs = consistent(obs)
    state = apply({}, plan_reimport({}, obs, scope), scope)
    state = apply(state, plan_reimport(state, [], scope), scope)  # maybe fixed
    state = apply(state, plan_reimport(state, obs, scope), scope)
    for o in obs:
        assert state[o.fingerprint].status in ACTIVE
        assert scope.branch in state[o.fingerprint].branches


# ------------------------------------------------------------------ triage, expiry, SLA

TODAY = dt.date(2026, 3, 2)


def test_accepted_risk_needs_reason_approver_and_future_expiry() -> None:
    ok = TriageRequest(Status.ACCEPTED_RISK, "compensating control", "cso", TODAY + dt.timedelta(days=30))
    assert check_triage(Status.OPEN, ok, today=TODAY, finding_id=1).new == Status.ACCEPTED_RISK
    for req, field in [
        (TriageRequest(Status.ACCEPTED_RISK, "", "cso", TODAY + dt.timedelta(days=1)), "reason"),
        (TriageRequest(Status.ACCEPTED_RISK, "r", "", TODAY + dt.timedelta(days=1)), "approver"),
        (TriageRequest(Status.ACCEPTED_RISK, "r", "cso", None), "expires"),
        (TriageRequest(Status.ACCEPTED_RISK, "r", "cso", TODAY), "expires"),
        (TriageRequest(Status.FALSE_POSITIVE, "  "), "reason"),
        (TriageRequest(Status.DUPLICATE, "dup"), "duplicate_of"),
        (TriageRequest(Status.DUPLICATE, "dup", duplicate_of=1), "duplicate_of"),
        (TriageRequest(Status.FIXED, "r"), "status"),
        (TriageRequest(Status.REOPENED, "r"), "status"),
    ]:
        with pytest.raises(TriageError) as e:
            check_triage(Status.OPEN, req, today=TODAY, finding_id=1)
        assert e.value.field == field


def test_expired_accepted_risk_reopens_or_is_fixed_when_gone() -> None:
    rows = [
        RiskState(1, Status.ACCEPTED_RISK, TODAY - dt.timedelta(days=1), True),
        RiskState(2, Status.ACCEPTED_RISK, TODAY, True),  # valid through today
        RiskState(3, Status.ACCEPTED_RISK, TODAY - dt.timedelta(days=5), False),
        RiskState(4, Status.FALSE_POSITIVE, TODAY - dt.timedelta(days=5), True),
    ]
    got = {t.finding_id: t.new for t in expired_risks(rows, TODAY)}
    assert got == {1: Status.REOPENED, 3: Status.FIXED}


def test_sla_view() -> None:
    first = dt.datetime(2026, 1, 1)
    due = first + dt.timedelta(days=7)
    v = sla_view(status=Status.OPEN, first_seen=first, due=due, fixed_at=None, now=first + dt.timedelta(days=8))
    assert v.breached and v.days_left == -1
    v = sla_view(status=Status.OPEN, first_seen=first, due=due, fixed_at=None, now=first + dt.timedelta(days=2))
    assert not v.breached and v.days_left == 5
    v = sla_view(status=Status.FIXED, first_seen=first, due=due, fixed_at=first + dt.timedelta(days=3), now=first)
    assert not v.breached and v.time_to_fix_days == 3.0
    v = sla_view(status=Status.FIXED, first_seen=first, due=due, fixed_at=first + dt.timedelta(days=9), now=first)
    assert v.breached
