"""Speakers, affiliations and the byline printed from authorships."""

import pytest
from django.db import IntegrityError, transaction

from program.models import Talk
from speakers.bylines import Organisation, format_author_line, join_names
from speakers.models import (
    Affiliation,
    Authorship,
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


def test_bylines_read_in_bulk_print_what_the_authorships_print(django_assert_num_queries):
    talk = TalkFactory()
    ibm = AffiliationFactory(name="IBM", slug="ibm")
    # Saved out of order: the byline follows the positions, not the rows.
    AuthorshipFactory(talk=talk, position=1, affiliation=None, speaker__name="Wen-mei Hwu")
    credited = AuthorshipFactory(
        talk=talk, position=0, affiliation=ibm, speaker__name="Mikhail Arov", credited_name="Mike"
    )
    other_talk = AuthorshipFactory().talk

    with django_assert_num_queries(1):
        bylines = Authorship.objects.bylines([talk.pk, other_talk.pk])
    authors = bylines[talk.pk]
    assert [a.printed_name for a in authors] == ["Mike", "Wen-mei Hwu"]
    assert authors[0].speaker_id == credited.speaker_id
    assert authors[0].speaker_slug == credited.speaker.slug
    assert authors[0].affiliation == Organisation("IBM", "ibm")
    assert str(authors[0].affiliation) == "IBM"
    assert authors[1].affiliation is None
    assert format_author_line(authors) == talk.author_line == "Mike, IBM; Wen-mei Hwu"
    assert authors == [a.author for a in talk.authorships.order_by("position")]
    assert len(bylines[other_talk.pk]) == 1
    assert all(author.changed_at is None for author in authors)


def test_dated_bylines_carry_the_later_change_of_speaker_and_organisation():
    authorship = AuthorshipFactory()
    Speaker.objects.filter(pk=authorship.speaker_id).update(updated_at="2020-07-01T00:00Z")
    Affiliation.objects.filter(pk=authorship.affiliation_id).update(updated_at="2020-08-01T00:00Z")
    (author,) = Authorship.objects.bylines([authorship.talk_id], dated=True)[authorship.talk_id]
    assert author.changed_at.isoformat() == "2020-08-01T00:00:00+00:00"


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
