"""Schemathesis against the OpenAPI document: generated requests to every operation (the upload endpoint
included) never get a 5xx, with a valid admin token and with a project-scoped writer token, on SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from garrison.server.app import create_app
from garrison.server.settings import Settings
from tests.server.conftest import Tokens, bearer
from tests.server.reports import finding, report

# the spec only: this app never touches its database; requests go to the per-test app below
_SPEC_APP = create_app(Settings(database_url="sqlite:///:memory:", secret_key="spec"), prepare_schema=False)
schema = schemathesis.openapi.from_dict(_SPEC_APP.openapi())


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: Any, client: Any, upload: Any, tokens: Tokens) -> None:
    if not getattr(client, "_seeded", False):
        upload(report([finding("r1", "a.py"), finding("r2", "b.py", severity="low")]))
        client._seeded = True
    for token in (tokens.admin, tokens.writer):
        kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=bearer(token))
        if "data" in kwargs and not isinstance(kwargs["data"], dict):
            kwargs["content"] = kwargs.pop("data")
        kwargs.pop("cookies", None)
        response = client.request(**kwargs)
        case.validate_response(response, checks=[not_a_server_error])


def test_upload_operation_is_in_the_spec(app: Any) -> None:
    spec = app.openapi()
    op = spec["paths"]["/api/v1/projects/{project}/scans"]["post"]
    assert set(op["requestBody"]["content"]) == {"application/json", "application/sarif+json"}
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
