"""The printed program's running foot (issue 19): a stylesheet naming the conference on every
page, its name escaped as a CSS string."""

import pytest

from program.views import css_string

pytestmark = pytest.mark.django_db


def test_the_print_stylesheet_names_the_conference(client, opml20):
    html = client.get(opml20.get_absolute_url()).content.decode()
    assert '<link rel="stylesheet" href="/opml20/print.css" media="print">' in html
    response = client.get("/opml20/print.css")
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert '@bottom-left { content: "OpML \'20 Conference Program"' in response.content.decode()


def test_a_name_cannot_break_out_of_its_css_string():
    assert css_string('A "B" \\ C') == '"A \\22 B\\22  \\5c  C"'
    assert css_string("x</style>") == '"x\\3c /style\\3e "'
    assert css_string("a\nb") == '"a\\a b"'


def test_a_draft_conference_has_no_print_stylesheet(client, opml20):
    opml20.is_published = False
    opml20.save()
    assert client.get("/opml20/print.css").status_code == 404
