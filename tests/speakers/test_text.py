"""Text hygiene: the rule itself, and people and organisations saved through the admin."""

import pytest

from speakers.models import Affiliation, Authorship, Speaker
from speakers.text import normalise_text
from tests.factories import AuthorshipFactory, SpeakerFactory
from tests.program.test_admin_pages import admin_url, form_data


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("a\x00b\x01c\x08d\x0be\x0cf\x0eg\x1fh\x7fi", "abcdefghi"),
        ("keep\ttab\nnewline\r\nreturn", "keep\ttab\nnewline\r\nreturn"),
        ("next\u0085line\u2028sep\u2029para", "next\nline\nsep\npara"),
        ("Zoë — “Ünïcode” ☃", "Zoë — “Ünïcode” ☃"),
    ],
)
def test_normalise_text(raw, clean):
    assert normalise_text(raw) == clean


@pytest.mark.django_db
def test_people_organisations_and_bylines_are_cleaned_by_full_clean():
    authorship = AuthorshipFactory(credited_name="Mike")
    authorship.credited_name = "Mi\x1bke"
    authorship.full_clean()
    assert authorship.credited_name == "Mike"
    speaker = authorship.speaker
    speaker.name, speaker.bio = "Ada\x07 Lovelace", "Wrote\u2028notes."
    speaker.full_clean()
    assert (speaker.name, speaker.bio) == ("Ada Lovelace", "Wrote\nnotes.")
    affiliation = speaker.affiliation
    affiliation.name = "Analytical\x7f Engines"
    affiliation.full_clean()
    assert affiliation.name == "Analytical Engines"


@pytest.mark.django_db
def test_the_admin_saves_a_clean_speaker(member_client):
    speaker = SpeakerFactory()
    url = admin_url(Speaker, "change", speaker.pk)
    data = form_data(member_client.get(url)) | {"name": "Grace\x08 Hopper", "bio": "A\u2029B\x1f"}
    response = member_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    speaker.refresh_from_db()
    assert (speaker.name, speaker.bio) == ("Grace Hopper", "A\nB")
    assert Affiliation.objects.count() == 1
    assert Authorship.objects.count() == 0
