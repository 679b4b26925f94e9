"""Check a test-client response against the OpenAPI schema the way the schemathesis run does: the status is
documented for the operation, the content type is one documented for that status, and the body matches the
documented schema. For the regression tests of what that run found."""

from __future__ import annotations

from functools import cache
from typing import Any

import requests
import schemathesis
from django.http import HttpResponseBase, StreamingHttpResponse
from rest_framework.test import APIClient
from schemathesis.core.transport import Response as SchemathesisResponse
from schemathesis.specs.openapi.schemas import OpenApiSchema


@cache
def _document() -> dict[str, Any]:
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@cache
def _schema() -> OpenApiSchema:
    schema = schemathesis.openapi.from_dict(_document())
    assert isinstance(schema, OpenApiSchema)
    return schema


def assert_documented(response: HttpResponseBase) -> None:
    request = response.wsgi_request  # type: ignore[attr-defined]
    method, path = request.method, request.path
    operation = _schema().find_operation_by_path(method, path)
    assert operation is not None, f"{method} {path} is not in the schema"
    responses = _document()["paths"][operation.path][method.lower()]["responses"]
    documented = responses.get(str(response.status_code))
    assert documented is not None, f"{method} {operation.path}: status {response.status_code} not documented"
    media_type = response.get("Content-Type", "").split(";")[0].strip()
    if documented.get("content"):
        assert media_type in documented["content"], f"{method} {operation.path}: {media_type} not documented"
    # A streamed answer is a file, whose bytes no schema describes: left for the test to read.
    content = b"" if isinstance(response, StreamingHttpResponse) else response.content  # type: ignore[attr-defined]
    prepared = requests.Request(method, f"http://testserver{request.get_full_path()}").prepare()
    operation.validate_response(
        SchemathesisResponse(
            status_code=response.status_code,
            headers={k.lower(): [v] for k, v in response.headers.items()},
            content=content,
            request=prepared,
            elapsed=0.0,
            verify=False,
        )
    )
