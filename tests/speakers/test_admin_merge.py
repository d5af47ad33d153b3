"""Merging duplicate affiliations and speakers from the admin."""

from django.contrib.admin.models import DELETION, LogEntry
from django.urls import reverse

from program.models import Talk
from speakers.models import Affiliation, Authorship, Speaker
from tests.factories import AffiliationFactory, AuthorshipFactory, SpeakerFactory, TalkFactory

SPEAKERS = reverse("admin:speakers_speaker_changelist")
AFFILIATIONS = reverse("admin:speakers_affiliation_changelist")


def merge(client, url, action, objects, target=None, confirm=True):
    data = {"action": action, "_selected_action": [obj.pk for obj in objects]}
    if target is not None:
        data["target"] = target.pk
    if confirm:
        data |= {"post": "yes", "previewed": target.pk}
    return client.post(url, data)


# --- Affiliations -------------------------------------------------------------------------------


def test_opml20_intuit_affiliations_merge(opml20, member_client, member):
    intuit = Affiliation.objects.get(name="Intuit")
    inc = Affiliation.objects.get(name="Intuit Inc.")
    moving_speakers = set(inc.speakers.values_list("pk", flat=True))
    moving_authorships = set(inc.authorships.values_list("pk", flat=True))
    assert moving_speakers or moving_authorships
    totals = (Speaker.objects.count(), Authorship.objects.count())

    page = merge(member_client, AFFILIATIONS, "merge", [intuit, inc], confirm=False)
    assert page.status_code == 200
    assert "Bylines that will print" in page.text
    for authorship in Authorship.objects.filter(pk__in=moving_authorships):
        assert authorship.talk.title in page.text
    assert Affiliation.objects.filter(pk=inc.pk).exists()  # nothing happens before confirming

    response = merge(member_client, AFFILIATIONS, "merge", [intuit, inc], target=intuit)
    assert response.status_code == 302
    assert not Affiliation.objects.filter(pk=inc.pk).exists()
    assert set(intuit.speakers.values_list("pk", flat=True)) >= moving_speakers
    assert set(intuit.authorships.values_list("pk", flat=True)) >= moving_authorships
    assert (Speaker.objects.count(), Authorship.objects.count()) == totals
    assert LogEntry.objects.filter(object_id=str(intuit.pk), user=member).exists()
    assert LogEntry.objects.filter(
        object_id=str(inc.pk), action_flag=DELETION, content_type__model="affiliation"
    ).exists()


def test_confirmation_defaults_to_the_most_used_and_previews_another_choice(db, member_client):
    used = AffiliationFactory(name="Acme")
    spare = AffiliationFactory(name="ACME, Inc.")
    AuthorshipFactory(affiliation=used, speaker__affiliation=used)
    page = merge(member_client, AFFILIATIONS, "merge", [used, spare], confirm=False)
    assert page.context["target"] == used

    # Choosing the other one and confirming straight away shows its plan first.
    response = member_client.post(
        AFFILIATIONS,
        {
            "action": "merge",
            "_selected_action": [used.pk, spare.pk],
            "target": spare.pk,
            "previewed": used.pk,
            "post": "yes",
        },
    )
    assert response.status_code == 200
    assert response.context["target"] == spare
    assert Affiliation.objects.count() == 2


def test_merging_a_single_affiliation_is_refused(db, member_client):
    alone = AffiliationFactory()
    response = merge(member_client, AFFILIATIONS, "merge", [alone], confirm=False)
    assert response.status_code == 302
    assert Affiliation.objects.filter(pk=alone.pk).exists()


def test_duplicate_filter_finds_look_alike_affiliations(db, member_client):
    AffiliationFactory(name="Intuit")
    AffiliationFactory(name="Intuit Inc.")
    AffiliationFactory(name="VMware Inc")
    AffiliationFactory(name="vmware")
    AffiliationFactory(name="Netflix")
    page = member_client.get(AFFILIATIONS, {"duplicate": "yes"})
    names = {a.name for a in page.context["cl"].result_list}
    assert names == {"Intuit", "Intuit Inc.", "VMware Inc", "vmware"}


# --- Speakers -----------------------------------------------------------------------------------


def test_speaker_merge_moves_authorships_and_keeps_the_printed_names(db, member_client, member):
    mikhail = SpeakerFactory(name="Mikhail Arov", bio="")
    mike = SpeakerFactory(name="Mike Arov", bio="Mike's bio.")
    first = AuthorshipFactory(speaker=mikhail, position=0)
    second = AuthorshipFactory(speaker=mike, position=0)
    bylines = {talk.pk: talk.author_line for talk in Talk.objects.all()}

    page = merge(member_client, SPEAKERS, "merge", [mikhail, mike], target=mikhail, confirm=False)
    assert "Mike Arov" in page.text
    assert second.talk.title in page.text

    response = merge(member_client, SPEAKERS, "merge", [mikhail, mike], target=mikhail)
    assert response.status_code == 302
    assert not Speaker.objects.filter(pk=mike.pk).exists()
    second.refresh_from_db()
    assert second.speaker == mikhail
    assert second.credited_name == "Mike Arov"
    first.refresh_from_db()
    assert first.speaker == mikhail
    mikhail.refresh_from_db()
    assert mikhail.bio == "Mike's bio."  # the kept speaker had none
    assert {talk.pk: talk.author_line for talk in Talk.objects.all()} == bylines
    assert "Merged" in LogEntry.objects.get(object_id=str(mikhail.pk), user=member).change_message


def test_speakers_who_coauthored_a_talk_merge_into_one_authorship(db, member_client):
    talk = TalkFactory()
    kept_person = SpeakerFactory(name="Jane Doe", bio="Jane's bio.")
    duplicate = SpeakerFactory(name="J. Doe", bio="Another bio.")
    other = SpeakerFactory(name="Sam Other")
    AuthorshipFactory(talk=talk, speaker=duplicate, position=0)
    AuthorshipFactory(talk=talk, speaker=other, position=1)
    AuthorshipFactory(talk=talk, speaker=kept_person, position=2)
    elsewhere = AuthorshipFactory(speaker=duplicate, position=0)

    page = merge(
        member_client,
        SPEAKERS,
        "merge",
        [kept_person, duplicate],
        target=kept_person,
        confirm=False,
    )
    assert "Talks that credit two of these people (1)" in page.text
    assert "Another bio." in page.text  # the bio that will not be kept is shown

    response = merge(member_client, SPEAKERS, "merge", [kept_person, duplicate], target=kept_person)
    assert response.status_code == 302
    rows = list(talk.authorships.order_by("position").values_list("speaker__name", "credited_name"))
    # One authorship for the person, at the earlier place, printed as the byline printed it.
    assert rows == [("Jane Doe", "J. Doe"), ("Sam Other", "")]
    elsewhere.refresh_from_db()
    assert (elsewhere.speaker, elsewhere.credited_name) == (kept_person, "J. Doe")
    assert not Speaker.objects.filter(pk=duplicate.pk).exists()
    assert not Authorship.objects.filter(speaker_id=duplicate.pk).exists()
    kept_person.refresh_from_db()
    assert kept_person.bio == "Jane's bio."
    entry = LogEntry.objects.get(object_id=str(kept_person.pk), content_type__model="speaker")
    assert "Another bio." in entry.change_message  # the dropped bio is not lost
    assert LogEntry.objects.filter(object_id=str(talk.pk), content_type__model="talk").exists()


def test_speaker_changelist_counts_talks_and_links_the_public_page(opml20, member_client):
    page = member_client.get(SPEAKERS, {"q": "Zedlewski"})
    speaker = page.context["cl"].result_list[0]
    assert speaker.usage == 1
    assert speaker.get_absolute_url() in page.text


def test_speakers_are_searched_by_affiliation(opml20, member_client):
    page = member_client.get(SPEAKERS, {"q": "NVIDIA"})
    assert {s.affiliation.name for s in page.context["cl"].result_list} == {"NVIDIA"}


def test_affiliation_changelist_counts_speakers_and_talks(db, member_client):
    acme = AffiliationFactory(name="Acme")
    talk = TalkFactory()
    AuthorshipFactory(talk=talk, affiliation=acme, speaker__affiliation=acme, position=0)
    AuthorshipFactory(talk=talk, affiliation=acme, speaker__affiliation=acme, position=1)
    page = member_client.get(AFFILIATIONS, {"q": "Acme"})
    row = page.context["cl"].result_list[0]
    assert (row.n_speakers, row.n_talks) == (2, 1)


def test_affiliation_list_previews_organisations_without_a_public_page(db, member_client):
    public = AffiliationFactory(name="Shown Org")
    AuthorshipFactory(affiliation=public, speaker__affiliation=public)
    AffiliationFactory(name="Draft Org")
    page = member_client.get(AFFILIATIONS)
    rows = {a.name: a.public for a in page.context["cl"].result_list}
    assert rows == {"Shown Org": True, "Draft Org": False}
    assert "Draft · preview" in page.text
