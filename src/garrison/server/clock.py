"""The service's clock: naive UTC. Tests replace ``now`` through the app state, never by patching datetime."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat() + "Z"
