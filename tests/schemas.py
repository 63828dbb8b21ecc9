"""Validators for the documents Garrison writes. Every SARIF/JSON report a test makes goes through these."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema

from tests.conftest import FIXTURES, REPO_ROOT


@cache
def _validator(path: str) -> jsonschema.protocols.Validator:
    schema = json.loads((REPO_ROOT / path).read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid_sarif(doc: Any) -> None:
    """Validate against the vendored OASIS SARIF 2.1.0 schema (tests/fixtures/schemas)."""
    errors = sorted(
        _validator(str((FIXTURES / "schemas" / "sarif-schema-2.1.0.json").relative_to(REPO_ROOT))).iter_errors(doc),
        key=str,
    )
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])


def assert_valid_report(doc: Any) -> None:
    """Validate a Garrison JSON report against docs/report-schema.json."""
    errors = sorted(_validator("docs/report-schema.json").iter_errors(doc), key=str)
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])
