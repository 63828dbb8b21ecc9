"""Event: lazily parsed timestamps and memoised numeric canonical forms give the same values as eager ones."""

from __future__ import annotations

from garrison.detect.event import Event, parse_timestamp


def _ev(**kw: object) -> Event:
    return Event({"LogonId": "0x3E7", "Pid": "0010", "Name": "x"}, origin="o", position="1", family="t", **kw)  # type: ignore[arg-type]


def test_raw_timestamp_is_parsed_on_first_use() -> None:
    ev = _ev(ts_raw="2024-03-01T10:00:00.123456789Z")
    assert ev.timestamp == parse_timestamp("2024-03-01T10:00:00.123456Z")
    assert _ev(ts_raw="not a time").timestamp is None
    assert _ev(timestamp=5.0, ts_raw="2024-03-01T10:00:00Z").timestamp == 5.0
    assert _ev().timestamp is None


def test_numeric_texts_get_their_canonical_line_every_time() -> None:
    for _ in range(2):  # the second event is served from the memo
        blob = _ev().blob()
        assert "\nlogonid\x010x3e7\x01logonid" in blob and "\nlogonid\x01999\x01logonid" in blob
        assert "\npid\x0110\x01pid" in blob and "\nname\x01x\x01name" in blob
