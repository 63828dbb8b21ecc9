"""The normalised resource model every IaC parser produces and every check reads.

A :class:`Resource` is one thing a check can judge: a Terraform resource instance, a CloudFormation resource,
a Kubernetes object, a Dockerfile stage, a Compose service. Its ``attributes`` are plain Python values
(``str``/``int``/``float``/``bool``/``None``/``list``/``dict``) in which anything the parser could not resolve
statically is :data:`UNKNOWN` or a :class:`Ref` to another resource. Nothing unknown is ever guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final


class _Unknown:
    """A value that cannot be known before apply (or is not statically resolvable)."""

    __slots__ = ()
    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("UNKNOWN has no truth value; test it with is_unknown()")

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to another resource's attribute (``aws_s3_bucket.data.id``, ``!Ref Bucket``).

    Its value is unknown until apply, but the reference itself is what graph-aware checks follow.
    """

    address: str
    attribute: str = ""

    def __bool__(self) -> bool:
        raise TypeError("a Ref has no truth value; test it with is_unknown()")


@dataclass(frozen=True, slots=True)
class Partial:
    """A string whose literal parts are known but some interpolation is not: ``"arn:aws:s3:::${var.b}/*"``,
    ``!Sub "arn:aws:logs:${AWS::Region}:..."``. It is unknown (:func:`is_unknown` is true), but a check may
    read the known ``fragments``: that string can never be ``"*"``."""

    fragments: tuple[str, ...]

    def __bool__(self) -> bool:
        raise TypeError("a Partial has no truth value; test it with is_unknown()")


def can_be(value: object, literal: str) -> bool | None:
    """Whether ``value`` is ``literal``: True/False when decidable, None when it depends on an unknown.

    A :class:`Ref` (a resource id/ARN) is never a literal such as ``"*"``; a :class:`Partial` is not when one of
    its known fragments is not a substring of ``literal``."""
    if isinstance(value, Ref):
        return False
    if isinstance(value, Partial):
        return None if all(f in literal for f in value.fragments) else False
    if value is UNKNOWN:
        return None
    return value == literal


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


#: an attribute that is not set at all (distinct from ``None``/null and from UNKNOWN)
MISSING: Final = _Missing()


def is_unknown(value: object) -> bool:
    return value is UNKNOWN or isinstance(value, (Ref, Partial))


def contains_unknown(value: object, _depth: int = 0) -> bool:
    if is_unknown(value):
        return True
    if _depth > 64:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v, _depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v, _depth + 1) for v in value)
    return False


@dataclass(slots=True)
class Resource:
    """One judged object. ``address`` is unique within a scan (``module.net.aws_vpc.main[0]``,
    ``AWS::S3::Bucket.Logs``, ``Deployment/web``, ``stage:builder``, ``services.web``)."""

    platform: str  # terraform | cloudformation | kubernetes | dockerfile | compose
    type: str  # aws_s3_bucket | AWS::S3::Bucket | Deployment | dockerfile_stage | compose_service
    name: str
    address: str
    attributes: dict[str, Any]
    path: str
    start_line: int
    end_line: int
    #: the block's address without instance keys (``aws_s3_bucket.x`` for ``aws_s3_bucket.x[0]``)
    block_address: str = ""
    #: addresses of the resources this one references (for the reference graph)
    references: frozenset[str] = frozenset()
    #: extra facts a parser knows (e.g. Kubernetes namespace, Terraform module path, plan-derived)
    meta: dict[str, Any] = field(default_factory=dict)
    #: derived views several checks share (e.g. normalised security-group rules), computed once per resource
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per resource and key (attributes never change after parsing)."""
        try:
            return self.derived[key]
        except KeyError:
            value = self.derived[key] = compute()
            return value

    def get(self, path: str, default: Any = MISSING) -> Any:
        return lookup(self.attributes, path, default)

    def all(self, path: str) -> list[Any]:
        """Every value at ``path``, a list value spread into its items (``all("default_action")`` is the list
        of ``default_action`` blocks, ``all("settings.database_flags")`` every flag of every settings block)."""
        out: list[Any] = []
        for v in lookup_all(self.attributes, path):
            if isinstance(v, list):
                out.extend(v)
            else:
                out.append(v)
        return out


def _step(value: Any, key: str) -> Iterator[Any]:
    if isinstance(value, list):
        if key.isdigit():
            i = int(key)
            if i < len(value):
                yield value[i]
            return
        for item in value:
            yield from _step(item, key)
        return
    if isinstance(value, Mapping):
        if key in value:
            yield value[key]
        return
    if is_unknown(value):
        yield UNKNOWN


def lookup_all(obj: Any, path: str) -> list[Any]:
    """Every value at a dotted ``path``; lists are flattened (blocks repeat), digits index lists.

    An unknown value on the way yields UNKNOWN for the rest of the path.
    """
    current = [obj]
    for key in path.split(".") if path else []:
        nxt: list[Any] = []
        for value in current:
            nxt.extend(_step(value, key))
        current = nxt
        if not current:
            break
    return current


def lookup(obj: Any, path: str, default: Any = MISSING) -> Any:
    """The first value at ``path`` (see :func:`lookup_all`), or ``default`` when there is none."""
    found = lookup_all(obj, path)
    return found[0] if found else default


def as_list(value: Any) -> list[Any]:
    """Attributes that may be a scalar or a list (``cidr_blocks``, CloudFormation ``Action``)."""
    if value is MISSING or value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]
