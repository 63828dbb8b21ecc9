"""Route events to the rules that can apply, by Sigma log source.

A rule applies to an event when every log source attribute the rule sets (product, category, service) is one
the event has. The answer depends only on the event's log source, so it is computed once per distinct log
source and memoised: per event, routing is one dict lookup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from garrison.detect.event import LogSource


def applies(meta: dict[str, Any], ls: LogSource) -> bool:
    product, category, service = meta.get("product"), meta.get("category"), meta.get("service")
    if product is not None and product != ls.product:
        return False
    if service is not None and service not in ls.services:
        return False
    return not (category is not None and category not in ls.categories)


class Router:
    def __init__(self, meta: Sequence[dict[str, Any]], candidates: Sequence[int]) -> None:
        self._meta = meta
        self._candidates = list(candidates)
        self._memo: dict[tuple[Any, ...], list[int]] = {}

    def rules_for(self, ls: LogSource) -> list[int]:
        key = ls.key()
        got = self._memo.get(key)
        if got is None:
            got = [i for i in self._candidates if applies(self._meta[i], ls)]
            self._memo[key] = got
        return got
