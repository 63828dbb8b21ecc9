"""The reference graph: which resource refers to which (Terraform references, CloudFormation Ref/GetAtt).

Graph-aware checks ask questions such as "is there an ``aws_s3_bucket_public_access_block`` that references
this bucket?" or "which instances is this security group attached to?".

Addresses are only unique within one deployment unit: a Terraform root module (with the modules it calls) or
one CloudFormation template. Two roots that both declare ``aws_s3_bucket.logs`` are two different buckets, so
every edge is kept inside its unit (:func:`unit`); a public access block in ``envs/dev`` never vouches for the
bucket of ``envs/prod``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from garrison.scan.analyzers.iac.model import Ref, Resource

Key = tuple[str, str]


def unit(r: Resource) -> str:
    """The deployment unit a resource belongs to: its Terraform root module directory, else its file."""
    root = r.meta.get("root")
    return root if isinstance(root, str) else r.path


class Graph:
    def __init__(self, resources: Iterable[Resource]) -> None:
        self.resources = list(resources)
        self.by_type: dict[str, list[Resource]] = defaultdict(list)
        self.by_block: dict[Key, list[Resource]] = defaultdict(list)
        self.referrers: dict[Key, list[Resource]] = defaultdict(list)
        for r in self.resources:
            u = unit(r)
            self.by_type[r.type].append(r)
            self.by_block[(u, r.block_address or r.address)].append(r)
            for target in r.references:
                self.referrers[(u, target)].append(r)

    def of_type(self, *types: str) -> list[Resource]:
        out: list[Resource] = []
        for t in types:
            out.extend(self.by_type.get(t, ()))
        return out

    def referencing(self, target: Resource, *types: str) -> list[Resource]:
        """Resources of ``types`` (any type when none given) in the same unit that reference ``target``."""
        found = self.referrers.get((unit(target), target.block_address or target.address), [])
        return [r for r in found if not types or r.type in types]

    def referenced(self, source: Resource, *types: str) -> list[Resource]:
        """Resources of ``types`` in the same unit that ``source`` references."""
        u = unit(source)
        out: list[Resource] = []
        for addr in sorted(source.references):
            out.extend(r for r in self.by_block.get((u, addr), ()) if not types or r.type in types)
        return out

    def resolve(self, source: Resource, value: object, *types: str) -> list[Resource]:
        """The resources (of ``types``) an attribute value of ``source`` refers to, when it is a reference
        (``subnet_id = aws_subnet.public.id``); [] for literals and references outside the scan."""
        if not isinstance(value, Ref):
            return []
        found = self.by_block.get((unit(source), value.address), ())
        return [r for r in found if not types or r.type in types]

    def same_directory(self, a: Resource, b: Resource) -> bool:
        return a.path.rpartition("/")[0] == b.path.rpartition("/")[0] and a.platform == b.platform
