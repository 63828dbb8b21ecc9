"""The normalised resource model every IaC parser produces and every check reads.

A :class:`Resource` is one thing a check can judge: a Terraform resource instance, a CloudFormation resource,
a Kubernetes object, a Dockerfile stage, a Compose service. Its ``attributes`` are plain Python values
(``str``/``int``/``float``/``bool``/``None``/``list``/``dict``) in which anything the parser could not resolve
statically is :data:`UNKNOWN` or a :class:`Ref` to another resource. Nothing unknown is ever guessed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


#: an attribute that is not set at all (distinct from ``None``/null and from UNKNOWN)
MISSING: Final = _Missing()


def is_unknown(value: object) -> bool:
    return value is UNKNOWN or isinstance(value, Ref)


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

    def get(self, path: str, default: Any = MISSING) -> Any:
        return lookup(self.attributes, path, default)

    def all(self, path: str) -> list[Any]:
        return lookup_all(self.attributes, path)


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
