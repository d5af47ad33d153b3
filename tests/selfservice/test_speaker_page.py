"""Speakers' own page: links sent by e-mail, proposals, and the committee's decisions."""

import re
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from program.models import ChangeLogEntry, EventRevision
from selfservice.models import Proposal, SpeakerLink
from speakers.models import Speaker
from tests.factories import AuthorshipFactory, SpeakerFactory, image_bytes, upload

SPEAKERS = reverse("admin:speakers_speaker_changelist")
OPEN = reverse("selfservice:open")
PAGE = reverse("selfservice:page")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def grace(db):
    """A speaker with an e-mail address and one published talk."""
    authorship = AuthorshipFactory(
        speaker__name="Grace Hopper",
        speaker__email="grace@example.org",
        speaker__bio="Old bio.",
        talk__abstract="Old abstract.",
    )
    return authorship.speaker


def send_link(member_client, *speakers):
    return member_client.post(
        SPEAKERS,
        {"action": "send_speaker_links", "_selected_action": [s.pk for s in speakers]},
        follow=True,
    )


def secret_from(message):
    return re.search(r"/speaker-page/open/#([A-Za-z0-9_-]+)", message.body).group(1)


def open_page(client, secret):
    return client.post(OPEN, {"token": secret})


def page_form(speaker, **changes):
    talk = speaker.authorships.get().talk
    data = {
        "name": speaker.name,
        "affiliation": speaker.affiliation.name if speaker.affiliation else "",
        "pronouns": speaker.pronouns,
        "bio": speaker.bio,
        "homepage": "",
        "mastodon": "",
        "github": "",
        "orcid": "",
        f"abstract:{talk.pk}": talk.abstract,
    }
    return data | changes


def files_in(root):
    return [p for p in root.rglob("*") if p.is_file()]


# --- Sending links ------------------------------------------------------------------------------


def test_the_committee_sends_a_link_and_the_email_arrives(grace, member_client, client):
    no_address = SpeakerFactory(email="")
    response = send_link(member_client, grace, no_address)
    assert "Sent 1 speaker-page link" in response.text
    assert f"No e-mail address, so no link for: {no_address}" in response.text
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["grace@example.org"]
    secret = secret_from(message)
    assert secret in message.body  # also given as a code to paste
    link = SpeakerLink.objects.get(speaker=grace)
    assert secret not in link.digest  # only its hash is kept
    assert link.expires_at - link.sent_at == timedelta(days=14)

    opened = open_page(client, secret)
    assert opened.status_code == 303
    assert opened["Location"] == PAGE  # the address holds no secret
    page = client.get(PAGE)
    assert page.status_code == 200
    assert grace.authorships.get().talk.title in page.text
    # The same link works again (until it expires).
    assert open_page(client, secret).status_code == 303


def test_the_committee_sees_who_was_not_sent_a_link_or_did_not_answer(grace, member_client, client):
    other = SpeakerFactory(email="other@example.org")
    not_sent = member_client.get(SPEAKERS, {"page": "not_sent"})
    assert {grace, other} <= set(not_sent.context["cl"].result_list)
    send_link(member_client, grace, other)
    open_page(client, secret_from(mail.outbox[0]))

    assert list(member_client.get(SPEAKERS, {"page": "not_sent"}).context["cl"].result_list) == []
    not_opened = member_client.get(SPEAKERS, {"page": "not_opened"}).context["cl"].result_list
    assert list(not_opened) == [other]
    no_answer = member_client.get(SPEAKERS, {"page": "no_answer"}).context["cl"].result_list
    assert set(no_answer) == {grace, other}
    client.post(PAGE, page_form(grace, bio="New bio."))
    no_answer = member_client.get(SPEAKERS, {"page": "no_answer"}).context["cl"].result_list
    assert list(no_answer) == [other]
    assert "proposal waiting" in member_client.get(SPEAKERS).text


# --- Hostile and stale links --------------------------------------------------------------------


def issue(speaker, **fields):
    link, secret = SpeakerLink.issue(speaker, None)
    if fields:
        SpeakerLink.objects.filter(pk=link.pk).update(**fields)
    return secret


@pytest.mark.parametrize(
    ("spoil", "status", "message"),
    [
        ("tampered", 404, "We do not recognise this link"),
        ("garbage", 404, "We do not recognise this link"),
        ("expired", 410, "has <strong>expired</strong>"),
        ("revoked", 410, "has <strong>withdrawn</strong>"),
        ("replaced", 410, "<strong>newer link</strong>"),
    ],
)
def test_a_bad_link_gets_a_clear_page(grace, client, spoil, status, message):
    secret = issue(grace)
    if spoil == "tampered":
        secret = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    elif spoil == "garbage":
        secret = "<script>' OR 1=1 --" * 5
    elif spoil == "expired":
        SpeakerLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif spoil == "revoked":
        SpeakerLink.objects.update(revoked_at=timezone.now())
    else:
        issue(grace)  # a newer one
    response = open_page(client, secret)
    assert response.status_code == status
    assert message in response.text
    assert client.get(PAGE).status_code == 403  # no page was opened
    assert not Proposal.objects.exists()


def test_a_link_revoked_after_opening_closes_the_page(grace, client):
    open_page(client, issue(grace))
    assert client.get(PAGE).status_code == 200
    SpeakerLink.objects.update(revoked_at=timezone.now())
    closed = client.post(PAGE, page_form(grace, bio="Sneaky."))
    assert closed.status_code == 410
    assert "withdrawn" in closed.text
    assert not Proposal.objects.exists()


def test_a_link_opens_only_its_own_speakers_page(grace, client):
    other = AuthorshipFactory(talk__abstract="Theirs.")
    open_page(client, issue(grace))
    page = client.get(PAGE)
    assert other.talk.title not in page.text
    # Fields for another speaker's talk are ignored: the form only has their own.
    client.post(PAGE, page_form(grace, **{f"abstract:{other.talk.pk}": "Hijacked"}))
    assert not Proposal.objects.exists()
    other.talk.refresh_from_db()
    assert other.talk.abstract == "Theirs."


def test_the_pages_are_private_and_strict(grace, client):
    for response in (client.get(OPEN), open_page(client, "nope"), client.get(PAGE)):
        assert response["Referrer-Policy"] == "same-origin"
        assert "no-store" in response["Cache-Control"]
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert "noindex" in response["X-Robots-Tag"]


def test_requests_are_rate_limited(grace, client, settings):
    settings.SPEAKER_PAGE_REQUESTS_PER_HOUR = 3
    secret = issue(grace)
    for _ in range(3):
        open_page(client, "wrong")
    refused = open_page(client, secret)
    assert refused.status_code == 429
    assert "too many requests" in refused.text


def test_hostile_uploads_are_refused_with_a_reason_and_nothing_is_kept(grace, client, media):
    open_page(client, issue(grace))
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>x</script></svg>'
    for data, name, reason in [
        (svg, "me.svg", "more than a picture"),
        (image_bytes("PNG", (40, 40)) + b"<script>alert(1)</script>", "me.png", "markup"),
        (b"GIF89a" + b"\0" * 50, "me.gif", "not a photo we can read"),
        (image_bytes("JPEG", (900, 900))[:700], "me.jpg", "damaged or incomplete"),
    ]:
        response = client.post(PAGE, page_form(grace, photo=upload(data, name)))
        assert response.status_code == 400
        assert reason in response.text
    assert not Proposal.objects.exists()
    assert files_in(media) == []


# --- Proposals and decisions --------------------------------------------------------------------


def review(member_client, proposal, decision, approve=(), note=""):
    url = reverse("admin:selfservice_proposal_change", args=[proposal.pk])
    return member_client.post(url, {"decision": decision, "approve": list(approve), "note": note})


def test_nothing_is_public_until_approved_and_one_field_publishes_exactly_that(
    grace, client, member_client, member, media
):
    talk = grace.authorships.get().talk
    public_before = client.get(grace.get_absolute_url()).text
    feed_before = client.get(talk.get_calendar_url()).text
    sequence_before = EventRevision.objects.get(uid=talk.uid).sequence
    log_before = ChangeLogEntry.objects.count()
    open_page(client, issue(grace))
    sent = client.post(
        PAGE,
        page_form(
            grace,
            name="Grace B. M. Hopper",
            bio="New bio.",
            homepage="https://grace.example.org/",
            photo=upload(image_bytes("JPEG", (500, 500))),
            **{f"abstract:{talk.pk}": "New abstract."},
        ),
    )
    assert sent.status_code == 303
    proposal = Proposal.objects.get()
    assert set(proposal.changes) == {"name", "bio", "homepage", "photo", f"abstract:{talk.pk}"}
    waiting = client.get(PAGE).text
    assert "Waiting for the committee" in waiting

    # Nothing public has changed.
    grace.refresh_from_db()
    assert (grace.name, grace.bio, grace.photo) == ("Grace Hopper", "Old bio.", "")
    assert "New bio." not in client.get(grace.get_absolute_url()).text
    assert client.get(talk.get_calendar_url()).text == feed_before
    assert public_before == client.get(grace.get_absolute_url()).text

    # The review screen shows old against new.
    screen = member_client.get(reverse("admin:selfservice_proposal_change", args=[proposal.pk]))
    assert screen.status_code == 200
    assert "Old bio." in screen.text
    assert "New bio." in screen.text

    # Approving the name alone publishes the name alone; feeds and the change log follow.
    assert review(member_client, proposal, "some", ["name"]).status_code == 302
    grace.refresh_from_db()
    talk.refresh_from_db()
    assert grace.name == "Grace B. M. Hopper"
    assert (grace.bio, grace.homepage, grace.photo) == ("Old bio.", "", "")
    assert talk.abstract == "Old abstract."
    assert "Grace B. M. Hopper" in client.get(talk.get_calendar_url()).text
    # The same bookkeeping as an admin edit: the talk's calendar event is revised (SEQUENCE
    # rises) and the change log records what it records for a rename (nothing new).
    assert EventRevision.objects.get(uid=talk.uid).sequence == sequence_before + 1
    assert ChangeLogEntry.objects.count() == log_before
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.PARTLY
    assert proposal.approved_fields == ["name"]
    assert proposal.decided_by == member
    # The decision is in the speaker's admin history, under the member's name.
    assert LogEntry.objects.filter(
        object_id=str(grace.pk), user=member, change_message__contains="name as shown"
    ).exists()
    assert "Partly approved" in client.get(PAGE).text


def test_approving_all_publishes_bio_photo_and_abstract(
    grace, client, member_client, media, django_capture_on_commit_callbacks
):
    talk = grace.authorships.get().talk
    open_page(client, issue(grace))
    client.post(
        PAGE,
        page_form(
            grace,
            bio="New bio.",
            affiliation="Brand New Org",
            photo=upload(image_bytes("PNG", (700, 500))),
            **{f"abstract:{talk.pk}": "New abstract."},
        ),
    )
    review(member_client, Proposal.objects.get(), "all")
    grace = Speaker.objects.get(pk=grace.pk)
    talk.refresh_from_db()
    assert grace.bio == "New bio."
    assert grace.affiliation.name == "Brand New Org"
    assert grace.photo_width == 640
    assert talk.abstract == "New abstract."
    public = client.get(grace.get_absolute_url()).text
    assert f'alt="{grace.name}"' in public
    assert "New bio." in public
    assert f'alt="{grace.name}"' in client.get(talk.get_absolute_url()).text


def test_a_rejection_and_its_note_reach_the_speaker(
    grace, client, member_client, media, django_capture_on_commit_callbacks
):
    open_page(client, issue(grace))
    client.post(PAGE, page_form(grace, bio="Buy my crypto.", photo=upload(image_bytes())))
    with django_capture_on_commit_callbacks(execute=True):
        review(member_client, Proposal.objects.get(), "reject", note="Please keep it factual.")
    grace.refresh_from_db()
    assert grace.bio == "Old bio."
    assert Proposal.objects.get().status == Proposal.Status.REJECTED
    assert files_in(media) == []  # the refused photo is not kept
    page = client.get(PAGE).text
    assert "Not approved" in page
    assert "Please keep it factual." in page


def test_a_new_proposal_replaces_the_waiting_one_and_both_are_kept(grace, client):
    open_page(client, issue(grace))
    client.post(PAGE, page_form(grace, bio="First."))
    client.post(PAGE, page_form(grace, bio="Second."))
    statuses = list(Proposal.objects.order_by("pk").values_list("status", flat=True))
    assert statuses == ["replaced", "pending"]
    unchanged = client.post(PAGE, page_form(grace))
    assert unchanged["Location"].endswith("?sent=0")


def test_links_must_be_web_addresses(grace, client):
    open_page(client, issue(grace))
    response = client.post(PAGE, page_form(grace, github="javascript:alert(1)"))
    assert response.status_code == 400
    assert "http:// or https://" in response.text
    assert not Proposal.objects.exists()


def test_links_go_to_every_speaker_of_a_conference_in_one_action(grace, member_client):
    talk = grace.authorships.get().talk
    AuthorshipFactory(talk=talk, speaker__email="co@example.org", position=9)
    AuthorshipFactory(speaker__email="elsewhere@example.org")  # another conference
    conferences = reverse("admin:program_conference_changelist")
    member_client.post(
        conferences,
        {"action": "send_speaker_links", "_selected_action": [talk.session.conference_id]},
    )
    assert sorted(m.to[0] for m in mail.outbox) == ["co@example.org", "grace@example.org"]


def test_a_mail_server_failure_keeps_no_link(grace, member_client, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    response = send_link(member_client, grace)
    assert "The mail server refused the e-mail for: Grace Hopper" in response.text
    assert not SpeakerLink.objects.exists()


def test_an_oversized_upload_is_refused_before_it_is_read(grace, client, media):
    open_page(client, issue(grace))
    big = upload(b"\xff\xd8\xff" + b"\0" * (6 * 1024 * 1024), "big.jpg")
    response = client.post(PAGE, page_form(grace, bio="New.", photo=big))
    assert response.status_code == 400
    assert "larger than 5 MB" in response.text
    assert not Proposal.objects.exists()
    assert files_in(media) == []
