"""A merge made in the admin survives the next import of the program."""

import pytest
from django.contrib.auth import get_user_model

from program.importer import apply_program
from program.parser import parse_program
from speakers.merging import AffiliationMerge, SpeakerMerge
from speakers.models import Affiliation, Speaker
from tests.factories import (
    AffiliationFactory,
    AuthorshipFactory,
    SpeakerFactory,
    TalkFactory,
    make_committee_member,
)


@pytest.fixture
def imported(db, seed_text):
    apply_program(parse_program(seed_text), "opml20", publish=True)
    return seed_text


def test_reimport_after_merging_affiliations_recreates_nothing(imported):
    intuit = Affiliation.objects.get(name="Intuit")
    AffiliationMerge.plan(intuit, [Affiliation.objects.get(name="Intuit Inc.")]).apply()
    report = apply_program(parse_program(imported), "opml20")
    assert not Affiliation.objects.filter(name="Intuit Inc.").exists()
    assert report.created["affiliation"] == []
    assert report.created["authorship"] == []
    assert report.updated["authorship"] == []
    canchi = Speaker.objects.get(name="Srivathsan Canchi")
    assert canchi.affiliation == intuit
    assert intuit.aliases.get().slug == "intuit-inc"


def test_reimport_after_merging_speakers_recreates_nothing(imported):
    kept = Speaker.objects.get(name="Todd Underwood")
    duplicate = Speaker.objects.create(name="T. Underwood", slug="t-underwood")
    SpeakerMerge.plan(kept, [duplicate]).apply()
    assert kept.aliases.get().name == "T. Underwood"
    report = apply_program(
        parse_program(imported.replace("Todd Underwood", "T. Underwood")), "opml20"
    )
    assert not Speaker.objects.filter(name="T. Underwood").exists()
    assert report.created["speaker"] == []
    assert kept.authorships.count() == 2


def test_aliases_follow_a_second_merge(imported):
    """Merging A into B, then B into C: both old names now lead to C."""
    first, second = (
        Affiliation.objects.get(name="Intuit Inc."),
        Affiliation.objects.get(name="Intuit"),
    )
    AffiliationMerge.plan(second, [first]).apply()
    final = Affiliation.objects.create(name="Intuit, Inc. (all)", slug="intuit-all")
    AffiliationMerge.plan(final, [second]).apply()
    assert set(final.aliases.values_list("name", flat=True)) == {"Intuit", "Intuit Inc."}


def test_old_pages_and_feeds_redirect_to_the_merged_record(imported, client):
    kept = Speaker.objects.get(name="Todd Underwood")
    duplicate = Speaker.objects.create(name="T. Underwood", slug="t-underwood")
    SpeakerMerge.plan(kept, [duplicate]).apply()
    intuit = Affiliation.objects.get(name="Intuit")
    AffiliationMerge.plan(intuit, [Affiliation.objects.get(name="Intuit Inc.")]).apply()

    for old, new in [
        ("/speakers/t-underwood/", kept.get_absolute_url()),
        ("/speakers/t-underwood/calendar.ics", kept.get_calendar_url()),
        ("/affiliations/intuit-inc/", intuit.get_absolute_url()),
    ]:
        response = client.get(old)
        assert response.status_code == 301
        assert response.headers["Location"] == new
        assert client.get(new).status_code == 200
    assert client.get("/speakers/nobody-at-all/").status_code == 404
    assert client.get("/speakers/nobody-at-all/calendar.ics").status_code == 404


def test_a_merge_redirect_never_leads_to_a_page_the_visitor_may_not_see(db, client):
    """Merging into a person who speaks only in drafts: the old address stays a 404 for the
    public, instead of a 301 that names the kept person; staff who may preview are redirected."""
    draft = TalkFactory(is_published=False)
    kept = AuthorshipFactory(talk=draft).speaker
    duplicate = SpeakerFactory(name="Secret Person", slug="secret-person")
    SpeakerMerge.plan(kept, [duplicate]).apply()
    organisation = AffiliationFactory(name="Secret Org", slug="secret-org")
    AffiliationMerge.plan(kept.affiliation, [organisation]).apply()

    for old in ["/speakers/secret-person/", "/speakers/secret-person/calendar.ics"]:
        assert client.get(old).status_code == 404
    assert client.get("/affiliations/secret-org/").status_code == 404

    client.force_login(make_committee_member(get_user_model()))
    response = client.get("/speakers/secret-person/")
    assert response.status_code == 301
    assert response.headers["Location"] == kept.get_absolute_url()
