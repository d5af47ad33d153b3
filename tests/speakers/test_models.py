"""Speakers, affiliations and the byline printed from authorships."""

import pytest
from django.db import IntegrityError, transaction

from program.models import Talk
from speakers.bylines import format_author_line, join_names
from speakers.models import (
    Affiliation,
    Speaker,
    duplicate_affiliation_groups,
)
from tests.factories import AffiliationFactory, AuthorshipFactory, SpeakerFactory, TalkFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["A"], "A"),
        (["A", "B"], "A and B"),
        (["A", "B", "C"], "A, B, and C"),
    ],
)
def test_join_names_uses_the_serial_comma(names, expected):
    assert join_names(names) == expected


def test_byline_groups_consecutive_authors_by_affiliation():
    talk = TalkFactory()
    uiuc = AffiliationFactory(name="University of Illinois at Urbana-Champaign")
    ibm = AffiliationFactory(name="IBM")
    for position, (name, affiliation) in enumerate(
        [("Abdul Dakkak", uiuc), ("Cheng Li", uiuc), ("Jinjun Xiong", ibm), ("Wen-mei Hwu", uiuc)]
    ):
        AuthorshipFactory(talk=talk, position=position, affiliation=affiliation, speaker__name=name)
    assert format_author_line(talk.authorships.all()) == (
        "Abdul Dakkak and Cheng Li, University of Illinois at Urbana-Champaign; "
        "Jinjun Xiong, IBM; Wen-mei Hwu, University of Illinois at Urbana-Champaign"
    )


def test_byline_prints_the_credited_name():
    authorship = AuthorshipFactory(speaker__name="Mikhail Arov", credited_name="Mike Arov")
    assert authorship.talk.author_line == f"Mike Arov, {authorship.affiliation.name}"
    assert str(authorship.speaker) == "Mikhail Arov"


def test_a_speaker_appears_once_per_talk():
    authorship = AuthorshipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AuthorshipFactory(talk=authorship.talk, speaker=authorship.speaker)


def test_speaker_pages_list_only_people_with_published_talks():
    published = AuthorshipFactory().speaker
    AuthorshipFactory(talk__is_published=False)
    SpeakerFactory()
    assert list(Speaker.objects.presenting(Talk.objects.published())) == [published]
    assert published.get_absolute_url() == f"/speakers/{published.slug}/"


def test_look_alike_affiliations_are_grouped_by_name():
    names = ["intuit", "Google", "Intuit Inc.", "Mercari", "Mercari, inc.", "Intuit"]
    groups = duplicate_affiliation_groups(Affiliation(name=name) for name in names)
    assert [[a.name for a in group] for group in groups] == [
        ["Intuit", "Intuit Inc.", "intuit"],
        ["Mercari", "Mercari, inc."],
    ]
