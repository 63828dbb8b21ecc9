"""The reference graph: which resource refers to which (Terraform references, CloudFormation Ref/GetAtt).

Graph-aware checks ask questions such as "is there an ``aws_s3_bucket_public_access_block`` that references
this bucket?" or "which instances is this security group attached to?".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from garrison.scan.analyzers.iac.model import Resource


class Graph:
    def __init__(self, resources: Iterable[Resource]) -> None:
        self.resources = list(resources)
        self.by_type: dict[str, list[Resource]] = defaultdict(list)
        self.by_block: dict[str, list[Resource]] = defaultdict(list)
        self.referrers: dict[str, list[Resource]] = defaultdict(list)
        for r in self.resources:
            self.by_type[r.type].append(r)
            self.by_block[r.block_address or r.address].append(r)
            for target in r.references:
                self.referrers[target].append(r)

    def of_type(self, *types: str) -> list[Resource]:
        out: list[Resource] = []
        for t in types:
            out.extend(self.by_type.get(t, ()))
        return out

    def referencing(self, target: Resource, *types: str) -> list[Resource]:
        """Resources of ``types`` (any type when none given) that reference ``target``."""
        found = self.referrers.get(target.block_address or target.address, [])
        return [r for r in found if not types or r.type in types]

    def referenced(self, source: Resource, *types: str) -> list[Resource]:
        """Resources of ``types`` that ``source`` references."""
        out: list[Resource] = []
        for addr in sorted(source.references):
            out.extend(r for r in self.by_block.get(addr, ()) if not types or r.type in types)
        return out

    def same_directory(self, a: Resource, b: Resource) -> bool:
        return a.path.rpartition("/")[0] == b.path.rpartition("/")[0] and a.platform == b.platform
