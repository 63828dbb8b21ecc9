"""A small immutable, picklable mapping for evidence and metadata carried by immutable values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NoReturn, TypeVar

_V = TypeVar("_V")


class FrozenDict(dict[str, _V]):
    """A ``dict`` that refuses mutation after construction (values are shared, keys are fixed)."""

    __slots__ = ()

    def __init__(self, items: Mapping[str, _V] | Iterable[tuple[str, _V]] = ()) -> None:
        super().__init__(items)

    def _readonly(self, *_: object, **__: object) -> NoReturn:
        raise TypeError("FrozenDict is immutable")

    __setitem__ = _readonly
    __delitem__ = _readonly
    clear = _readonly
    pop = _readonly
    popitem = _readonly
    setdefault = _readonly
    update = _readonly
    __ior__ = _readonly

    def __reduce__(self) -> tuple[Any, tuple[dict[str, _V]]]:
        return (FrozenDict, (dict(self),))

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted((k, repr(v)) for k, v in self.items())))

    def __repr__(self) -> str:
        return f"FrozenDict({dict.__repr__(self)})"


def freeze(value: Mapping[str, _V] | None) -> FrozenDict[_V]:
    if isinstance(value, FrozenDict):
        return value
    return FrozenDict(value or {})
