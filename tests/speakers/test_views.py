"""Speaker and affiliation pages: who people are, where they work, what they presented."""

import pytest

from program.models import Talk
from speakers.models import Affiliation, Speaker
from tests.factories import AuthorshipFactory, ConferenceFactory, SessionFactory, TalkFactory
from tests.program.test_views import page_text

pytestmark = pytest.mark.django_db


def test_speaker_page_shows_name_affiliation_bio_and_talks(client, opml20):
    speaker = Speaker.objects.get(slug="mikhail-arov")
    text = page_text(client.get(speaker.get_absolute_url()))
    assert text.startswith("Mikhail Arov Intuit")
    assert "Mike is a Staff ML Engineer at Intuit, Mountain View." in text
    assert "SPOK - Managing ML/Big Data Spark Workloads at scale on Kubernetes" in text
    assert "Session 7: Model Training, Thursday, August 6, 9:00–10:30 am PDT" in text
    # The byline keeps the printed name.
    assert "Nagaraj Janardhana and Mike Arov, Intuit" in text


def test_speaker_page_lists_talks_across_conferences(client, opml20):
    todd = Speaker.objects.get(name="Todd Underwood")
    later = TalkFactory(
        title="A later talk", session=SessionFactory(day__conference=ConferenceFactory())
    )
    AuthorshipFactory(talk=later, speaker=todd, affiliation=todd.affiliation)
    text = page_text(client.get(todd.get_absolute_url()))
    assert "Automating Operations with ML" in text
    assert "How ML Breaks: A Decade of Outages for One Large ML Pipeline" in text
    assert "A later talk" in text


def test_speaker_page_hides_draft_talks_and_speakers_with_only_drafts(client):
    published = AuthorshipFactory(talk__title="Public talk")
    AuthorshipFactory(speaker=published.speaker, talk__title="Draft talk", talk__is_published=False)
    drafts_only = AuthorshipFactory(talk__is_published=False).speaker
    text = page_text(client.get(published.speaker.get_absolute_url()))
    assert "Public talk" in text
    assert "Draft talk" not in text
    assert client.get(drafts_only.get_absolute_url()).status_code == 404


def test_affiliation_page_lists_its_speakers_and_their_talks(client, opml20):
    google = Affiliation.objects.get(name="Google")
    text = page_text(client.get(google.get_absolute_url()))
    assert text.startswith("Google")
    for name in ["Daniel Papasian", "Steven Ross", "Todd Underwood"]:
        assert name in text
    assert "How ML Breaks: A Decade of Outages for One Large ML Pipeline" in text
    assert "Automating Operations with ML" in text
    assert "Netflix" not in text


def test_affiliation_without_public_talks_is_not_found(client):
    hidden = AuthorshipFactory(talk__is_published=False).affiliation
    assert client.get(hidden.get_absolute_url()).status_code == 404


def test_speaker_and_affiliation_pages_run_constant_queries(
    client, large_program, django_assert_max_num_queries
):
    talk = Talk.objects.filter(session__conference=large_program).first()
    authorship = talk.authorships.select_related("speaker", "affiliation").first()
    # Each +1: the version the public cache checks.
    with django_assert_max_num_queries(4):
        assert client.get(authorship.speaker.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(5):
        response = client.get(authorship.affiliation.get_absolute_url())
    assert authorship.speaker.name in page_text(response)
