"""Maven: ``ComparableVersion`` semantics (Maven 3), written here because univers' MavenVersion disagrees
with Maven on release aliases (``1.0.RELEASE`` == ``1.0`` in Maven; see tests/advisories/versions).

A version is split on ``.``, ``-`` and digit/letter transitions into integers, qualifiers and sub-lists
(each ``-`` and each transition opens a sub-list); trailing "null" items (0, "", ``ga``/``final``/``release``)
are dropped. Known qualifiers order ``alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release
< sp``; unknown qualifiers come after ``sp`` in lexical order; a single ``a``/``b``/``m`` followed by a digit
means alpha/beta/milestone.
"""

from __future__ import annotations

from functools import total_ordering
from typing import ClassVar, Union

from garrison.advisories.versions.base import InvalidVersion, VersionScheme

_QUALIFIERS = ("alpha", "beta", "milestone", "rc", "snapshot", "", "sp")
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_RELEASE_INDEX = str(_QUALIFIERS.index(""))
Item = Union[int, "_Str", "_List"]


class _Str:
    __slots__ = ("value",)

    def __init__(self, value: str, followed_by_digit: bool) -> None:
        if followed_by_digit and len(value) == 1:
            value = {"a": "alpha", "b": "beta", "m": "milestone"}.get(value, value)
        self.value = _ALIASES.get(value, value)

    def comparable(self) -> str:
        if self.value in _QUALIFIERS:
            return str(_QUALIFIERS.index(self.value))
        return f"{len(_QUALIFIERS)}-{self.value}"


class _List(list[Item]):
    def normalize(self) -> None:
        for i in range(len(self) - 1, -1, -1):
            item = self[i]
            if _is_null(item):
                del self[i]
            elif not isinstance(item, _List):
                break


def _is_null(item: Item) -> bool:
    if isinstance(item, int):
        return item == 0
    if isinstance(item, _Str):
        return item.comparable() == _RELEASE_INDEX
    return len(item) == 0


def _cmp(a: Item | None, b: Item | None) -> int:
    """ComparableVersion's ``Item.compareTo``; None stands for a missing item."""
    if a is None:
        return -_cmp(b, None) if b is not None else 0
    if isinstance(a, int):
        if b is None:
            return 0 if a == 0 else 1
        if isinstance(b, int):
            return (a > b) - (a < b)
        return 1  # int > qualifier, int > list
    if isinstance(a, _Str):
        if b is None:
            ca = a.comparable()
            return (ca > _RELEASE_INDEX) - (ca < _RELEASE_INDEX)
        if isinstance(b, (int, _List)):
            return -1
        ca, cb = a.comparable(), b.comparable()
        return (ca > cb) - (ca < cb)
    # a is a list
    if b is None:
        return 0 if not a else _cmp(a[0], None)
    if isinstance(b, int):
        return -1
    if isinstance(b, _Str):
        return 1
    for i in range(max(len(a), len(b))):
        r = _cmp(a[i] if i < len(a) else None, b[i] if i < len(b) else None)
        if r:
            return r
    return 0


def _parse_item(is_digit: bool, text: str) -> Item:
    return int(text) if is_digit else _Str(text, False)


def parse_maven(version: str) -> _List:
    text = version.strip().lower()
    if not text or len(text) > 256:
        raise InvalidVersion(f"not a Maven version: {version!r}")
    items = _List()
    current = items
    stack = [items]
    is_digit = False
    start = 0
    for i, c in enumerate(text):
        if c == ".":
            current.append(0 if i == start else _parse_item(is_digit, text[start:i]))
            start = i + 1
        elif c == "-":
            current.append(0 if i == start else _parse_item(is_digit, text[start:i]))
            start = i + 1
            sub = _List()
            current.append(sub)
            current = sub
            stack.append(sub)
        elif c.isdigit() and c.isascii():
            if not is_digit and i > start:
                current.append(_Str(text[start:i], True))
                start = i
                sub = _List()
                current.append(sub)
                current = sub
                stack.append(sub)
            is_digit = True
        else:
            if is_digit and i > start:
                current.append(_parse_item(True, text[start:i]))
                start = i
                sub = _List()
                current.append(sub)
                current = sub
                stack.append(sub)
            is_digit = False
    if len(text) > start:
        current.append(_parse_item(is_digit, text[start:]))
    while stack:
        stack.pop().normalize()
    return items


@total_ordering
class MavenVersion:
    __slots__ = ("items", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.items = parse_maven(text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MavenVersion) and _cmp(self.items, other.items) == 0

    def __lt__(self, other: MavenVersion) -> bool:
        return _cmp(self.items, other.items) < 0

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"MavenVersion({self.text!r})"


class MavenScheme(VersionScheme):
    ecosystem: ClassVar[str] = "Maven"
    purl_type: ClassVar[str] = "maven"

    def parse(self, version: str) -> MavenVersion:
        return MavenVersion(version)
