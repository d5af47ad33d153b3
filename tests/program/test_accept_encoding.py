"""Accept-Encoding is read with its q-values: gzip;q=0 means "not gzip", cached or not."""

import gzip

import pytest
from django.test import RequestFactory

from program.caching import accepts_gzip


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip", True),
        ("gzip, br", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("GZIP;Q=0.1", True),
        ("*", True),
        ("x-gzip", True),
        ("gzip;q=0", False),
        ("gzip; q=0.000", False),
        ("br, gzip;q=0", False),
        ("*;q=0", False),
        ("*, gzip;q=0", False),
        ("gzip;q=0, *", False),
        ("identity", False),
        ("", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_q_values_are_honoured(header, expected):
    assert accepts_gzip(RequestFactory().get("/", HTTP_ACCEPT_ENCODING=header)) is expected


@pytest.mark.parametrize("header", ["gzip;q=0", "*;q=0", "identity"])
def test_a_refused_gzip_is_never_sent(client, member_client, opml20, header):
    page = opml20.get_absolute_url()
    plain = client.get(page).content
    for reader in (client, client, member_client):  # cached, from the cache, staff (uncached)
        response = reader.get(page, HTTP_ACCEPT_ENCODING=header)
        assert response.status_code == 200
        assert not response.has_header("Content-Encoding")
        assert "Accept-Encoding" in response["Vary"]
    assert client.get(page, HTTP_ACCEPT_ENCODING=header).content == plain


def test_gzip_with_a_q_value_is_still_gzip(client, opml20):
    page = opml20.get_absolute_url()
    response = client.get(page, HTTP_ACCEPT_ENCODING="gzip;q=0.5")
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content) == client.get(page).content
