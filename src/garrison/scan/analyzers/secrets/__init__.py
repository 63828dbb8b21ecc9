"""The ``secrets`` analyzer package: rule catalogue (data), prefilter, matcher, gitleaks compatibility, verifiers."""

from garrison.scan.analyzers.secrets.analyzer import SecretsAnalyzer

__all__ = ["SecretsAnalyzer"]
