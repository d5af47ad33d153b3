"""program/links.py builds the same paths as reverse(), without calling it per link."""

import pytest
from django.urls import reverse, set_script_prefix

from program.links import path_to


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("program:conference_detail", {"slug": "opml20"}),
        ("program:session_detail", {"conference_slug": "opml20", "number": 12}),
        ("program:talk_detail", {"conference_slug": "opml20", "slug": "a-talk_2"}),
        ("speakers:speaker_detail", {"slug": "ada-lovelace"}),
        ("speakers:affiliation_detail", {"slug": "ibm"}),
    ],
)
def test_paths_match_reverse(name, kwargs):
    assert path_to(name, **kwargs) == reverse(name, kwargs=kwargs)


def test_a_script_prefix_is_kept():
    try:
        set_script_prefix("/program/")
        assert path_to("program:conference_detail", slug="x") == "/program/x/"
    finally:
        set_script_prefix("/")
