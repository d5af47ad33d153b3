"""A client generated from the API's schema (openapi-python-client, run here into a temporary
folder) reads every endpoint: what a consumer's generator makes of the schema must work."""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.core.handlers.wsgi import WSGIHandler

from program.models import Session
from tests.program.test_api_fuzz import inside_the_test_transaction

pytestmark = pytest.mark.django_db

PACKAGE = "opml_api_client"
ENDPOINTS = ["conferences", "days", "sessions", "talks", "speakers", "organisations"]


@pytest.fixture
def generated(client, tmp_path):
    """The client package, generated from the schema as served, importable while the test runs."""
    schema = tmp_path / "schema.json"
    schema.write_bytes(client.get("/api/schema/", {"format": "json"}).content)
    venv_bin = Path(sys.executable).parent
    subprocess.run(
        [
            venv_bin / "openapi-python-client",
            "generate",
            "--path",
            schema,
            "--meta",
            "none",
            "--output-path",
            tmp_path / PACKAGE,
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"},
        timeout=120,
    )
    sys.path.insert(0, str(tmp_path))
    try:
        yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture
def api(generated, opml20, settings):
    settings.API_REQUESTS_PER_MINUTE = 100_000
    with inside_the_test_transaction():
        transport = httpx.WSGITransport(app=WSGIHandler())
        yield generated("client").Client(
            base_url="http://testserver",
            httpx_args={"transport": transport},
            raise_on_unexpected_status=True,
        )


def test_the_generated_client_reads_every_endpoint(generated, api):
    models = generated("models")
    for endpoint in ENDPOINTS:
        listing = generated(f"api.{endpoint}.{endpoint}_list")
        page = listing.sync(client=api, page_size=500)
        assert page.count == len(page.results) > 0, endpoint
        retrieve = generated(f"api.{endpoint}.{endpoint}_retrieve")
        for item in page.results[:5]:
            one = retrieve.sync(item.id, client=api)
            assert one.to_dict() == item.to_dict(), endpoint
    # "URL or empty": both read (oneOf made "" ambiguous, and strict generators refused it).
    Session.objects.filter(number=1).update(location_url="https://example.org/room")
    conference = generated("api.conferences.conferences_retrieve").sync("opml20", client=api)
    assert isinstance(conference, models.Conference)
    assert conference.default_location_url == ""
    sessions = generated("api.sessions.sessions_list").sync(client=api, conference="opml20")
    assert {s.location_url for s in sessions.results} == {"", "https://example.org/room"}


def test_the_generated_client_reads_errors_as_declared(generated, api):
    models = generated("models")
    missing = generated("api.speakers.speakers_retrieve").sync("nobody", client=api)
    assert isinstance(missing, models.ErrorDetail)
    bad = generated("api.talks.talks_list").sync_detailed(client=api, page_size=0)
    assert bad.status_code == 400
    assert isinstance(bad.parsed, models.ParameterError)
    assert json.loads(bad.content) == {"page_size": [bad.parsed.page_size[0]]}
