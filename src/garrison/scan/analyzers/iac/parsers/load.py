"""Which parser reads which file, and reading a whole project into resources.

``classify`` decides from the path alone (the engine's ``wants`` contract); YAML/JSON files are then sniffed
by content (a CloudFormation template, Kubernetes objects, a Terraform plan) and silently ignored when they
are none of those. Every per-file failure is reported through ``errors(path, message)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from garrison.scan.analyzers.iac.model import Resource
from garrison.scan.analyzers.iac.parsers.cloudformation import cloudformation_resources, looks_like_cloudformation
from garrison.scan.analyzers.iac.parsers.compose import compose_resources, is_compose_path
from garrison.scan.analyzers.iac.parsers.dockerfile import DockerfileError, dockerfile_resources, is_dockerfile_path
from garrison.scan.analyzers.iac.parsers.kubernetes import kubernetes_resources, looks_like_kubernetes
from garrison.scan.analyzers.iac.parsers.tfplan import PlanError, plan_resources
from garrison.scan.analyzers.iac.parsers.yamlload import YamlError, load_documents

ErrorSink = Callable[[str | None, str], None]

PLATFORM_OF = {
    "terraform": "terraform",
    "tfvars": "terraform",
    "tfplan": "terraform",
    "yaml": "kubernetes",  # or cloudformation: decided by content
    "json": "cloudformation",  # or a plan
    "dockerfile": "dockerfile",
    "compose": "compose",
}

_SKIP_JSON = frozenset(
    {"package.json", "package-lock.json", "tsconfig.json", "composer.json", "composer.lock", ".eslintrc.json"}
)


def classify(path: str) -> str | None:
    name = path.rsplit("/", 1)[-1]
    low = name.lower()
    if low.endswith((".tf", ".tf.json")):
        return "terraform"
    if low == "terraform.tfvars" or low.endswith((".auto.tfvars", "terraform.tfvars.json", ".auto.tfvars.json")):
        return "tfvars"
    if is_dockerfile_path(path):
        return "dockerfile"
    if is_compose_path(path):
        return "compose"
    if low.endswith((".yaml", ".yml")):
        return "yaml"
    if low.endswith((".json", ".template")) and low not in _SKIP_JSON:
        return "tfplan" if "tfplan" in low or low == "plan.json" else "json"
    return None


@dataclass(slots=True)
class LoadResult:
    resources: list[Resource] = field(default_factory=list)
    undecidable_expansions: int = 0
    remote_modules: int = 0


def load_resources(texts: dict[str, str], errors: ErrorSink) -> LoadResult:
    from garrison.scan.analyzers.iac.parsers.terraform import TerraformEvaluator, load_modules

    out = LoadResult()
    tf_sources: list[tuple[str, str]] = []
    for path in sorted(texts):
        text = texts[path]
        kind = classify(path)
        if kind in ("terraform", "tfvars"):
            tf_sources.append((path, text))
            continue
        try:
            out.resources.extend(_load_one(path, text, kind))
        except (YamlError, DockerfileError, PlanError) as exc:
            errors(path, str(exc))
        except RecursionError:
            errors(path, "input nested too deeply")
    if tf_sources:
        modules = load_modules(tf_sources, errors)
        ev = TerraformEvaluator(modules, errors)
        out.resources.extend(ev.run())
        out.undecidable_expansions = ev.undecidable
        out.remote_modules = ev.stats.remote_modules
    return out


def _load_one(path: str, text: str, kind: str | None) -> list[Resource]:
    if kind == "dockerfile":
        return dockerfile_resources(path, text)
    if kind == "compose":
        return compose_resources(path, text)
    if kind == "tfplan" or (kind == "json" and '"planned_values"' in text and '"format_version"' in text):
        return plan_resources(path, text)
    if kind == "json":
        if "Resources" not in text:
            return []
        docs = load_documents(text, cloudformation=True)
        return cloudformation_resources(path, docs[0]) if len(docs) == 1 and looks_like_cloudformation(docs[0]) else []
    if kind == "yaml":
        if "Resources" in text and (
            "AWSTemplateFormatVersion" in text or "Type: AWS::" in text or "Type: 'AWS::" in text
        ):
            docs = load_documents(text, cloudformation=True)
            if len(docs) == 1 and looks_like_cloudformation(docs[0]):
                return cloudformation_resources(path, docs[0])
            return []
        if "apiVersion" in text and "kind" in text:
            try:
                docs = load_documents(text)
            except YamlError:
                if "{{" in text:  # an unrendered Helm template: not a manifest
                    return []
                raise
            return kubernetes_resources(path, [d for d in docs if looks_like_kubernetes(d)])
    return []
