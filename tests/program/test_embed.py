"""The embeddable program (issue 19): /<conference>/embed/ may be framed by the origins in
EMBED_ALLOWED_ORIGINS and by no one else; every other page keeps frame-ancestors 'none'."""

import importlib
import os
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured

pytestmark = pytest.mark.django_db


def frame_ancestors(response):
    policy = response["Content-Security-Policy"]
    return next(d for d in policy.split(";") if d.strip().startswith("frame-ancestors")).strip()


def test_the_embed_page_is_the_program_without_the_site_header(client, opml20):
    html = client.get("/opml20/embed/").content.decode()
    assert 'class="site-header"' not in html
    assert "picks.js" not in html
    assert html.count('class="talk"') == 25
    assert html.count('class="session') >= 8
    assert '<base target="_blank">' in html
    assert '<meta name="robots" content="noindex">' in html


def test_without_listed_origins_nothing_may_frame_it(client, opml20, settings):
    settings.EMBED_ALLOWED_ORIGINS = []
    response = client.get("/opml20/embed/")
    assert frame_ancestors(response) == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_listed_origins_may_frame_the_embed_page_only(client, opml20, settings):
    settings.EMBED_ALLOWED_ORIGINS = ["https://www.usenix.org", "http://localhost:8000"]
    response = client.get("/opml20/embed/")
    assert frame_ancestors(response) == (
        "frame-ancestors https://www.usenix.org http://localhost:8000"
    )
    assert "X-Frame-Options" not in response
    for url in ("/opml20/", "/opml20/sessions/1/", "/speakers/", "/search/?q=x"):
        other = client.get(url)
        assert frame_ancestors(other) == "frame-ancestors 'none'", url
        assert other["X-Frame-Options"] == "DENY"


def test_an_unknown_conference_has_no_embed(client, opml20):
    assert client.get("/nothing/embed/").status_code == 404


@pytest.mark.parametrize(
    "value", ["https://ok.example; script-src *", "https://ok.example/path", "*", "'self'"]
)
def test_the_setting_takes_bare_origins_only(value):
    with (
        mock.patch.dict(os.environ, {"EMBED_ALLOWED_ORIGINS": value}),
        pytest.raises(ImproperlyConfigured),
    ):
        importlib.reload(importlib.import_module("opml.settings"))
    importlib.reload(importlib.import_module("opml.settings"))  # as it was


def test_the_setting_reads_a_comma_separated_list():
    with mock.patch.dict(
        os.environ, {"EMBED_ALLOWED_ORIGINS": "https://a.example, http://b.example:8080"}
    ):
        module = importlib.reload(importlib.import_module("opml.settings"))
    assert module.EMBED_ALLOWED_ORIGINS == ["https://a.example", "http://b.example:8080"]
    importlib.reload(module)
