"""What a speaker may propose, and how a decision is applied.

Proposals hold only what differs from the public record when they are made. Approving writes
through the models' own `save()` (the same path as an admin edit), inside the request's
transaction, so program/revisions.py records the feeds' revisions, versions and change log as
for any edit; the admin history of each speaker and talk touched says who approved what.
"""

from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from selfservice.models import Proposal
from speakers import photos
from speakers.models import Affiliation, AffiliationAlias, Speaker

# The speaker's fields a proposal may change, in the order the review screen shows them.
SPEAKER_FIELDS = {
    "name": "name as shown",
    "affiliation": "affiliation",
    "pronouns": "pronouns",
    "bio": "bio",
    "photo": "photo",
    "homepage": "homepage",
    "mastodon": "Mastodon",
    "github": "GitHub",
    "orcid": "ORCID",
}
ABSTRACT = "abstract:"


def authored_talks(speaker):
    """The talks `speaker` is an author of (the only ones whose abstract they may propose)."""
    return [
        authorship.talk
        for authorship in speaker.authorships.select_related("talk__session__conference").order_by(
            "talk__session__start", "talk__order"
        )
    ]


def current_value(speaker, key, talks_by_id):
    if key == "affiliation":
        return speaker.affiliation.name if speaker.affiliation_id else ""
    if key == "photo":
        return {"name": speaker.photo, "width": speaker.photo_width, "height": speaker.photo_height}
    if key.startswith(ABSTRACT):
        talk = talks_by_id.get(int(key.removeprefix(ABSTRACT)))
        return talk.abstract if talk else None
    return getattr(speaker, key)


def changed_values(speaker, proposed, talks):
    """The entries of `proposed` ({key: value}) that differ from what is public now."""
    talks_by_id = {talk.pk: talk for talk in talks}
    changes = {}
    for key, value in proposed.items():
        if key == "photo":
            if value:
                changes[key] = value
            continue
        if isinstance(value, str):
            value = value.strip()
        if value != current_value(speaker, key, talks_by_id):
            changes[key] = value
    return changes


@transaction.atomic
def submit(speaker, link, proposed, talks):
    """A new pending proposal of what differs in `proposed` (None if nothing does); it replaces
    the speaker's pending one, whose decision no longer matters."""
    changes = changed_values(speaker, proposed, talks)
    if not changes:
        return None
    for old in Proposal.objects.select_for_update().filter(
        speaker=speaker, status=Proposal.Status.PENDING
    ):
        old.status = Proposal.Status.REPLACED
        old.decided_at = timezone.now()
        old.save(update_fields=["status", "decided_at"])
        if "photo" in old.changes and old.changes["photo"] != changes.get("photo"):
            forget_photo(old.changes["photo"])
    return Proposal.objects.create(speaker=speaker, link=link, changes=changes)


def forget_photo(photo):
    """Delete a proposed photo's files once the transaction has committed."""
    transaction.on_commit(lambda: photos.delete_photo(photo["name"], photo["width"]))


def review_rows(proposal):
    """(key, label, current value, proposed value, talk) for each change of `proposal`."""
    talks = {talk.pk: talk for talk in authored_talks(proposal.speaker)}
    rows = []
    for key, label in SPEAKER_FIELDS.items():
        if key in proposal.changes:
            current = current_value(proposal.speaker, key, talks)
            rows.append((key, label, current, proposal.changes[key], None))
    for key, value in proposal.changes.items():
        if key.startswith(ABSTRACT):
            talk = talks.get(int(key.removeprefix(ABSTRACT)))
            label = f"abstract of “{talk}”" if talk else "abstract of a talk they no longer author"
            rows.append((key, label, talk.abstract if talk else "", value, talk))
    return rows


def affiliation_named(name):
    """The organisation called `name` (or merged away under that name), made if none is."""
    found = Affiliation.objects.filter(name__iexact=name).first()
    if found is None:
        alias = AffiliationAlias.objects.filter(name__iexact=name).first()
        found = alias.affiliation if alias else None
    if found is None:
        base = slugify(name)[:110].rstrip("-") or "organisation"
        slug, n = base, 1
        while Affiliation.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        found = Affiliation(name=name, slug=slug)
        found.full_clean()
        found.save()
    return found


def log(user, obj, message):
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[obj],
        action_flag=CHANGE,
        change_message=message,
    )


@transaction.atomic
def decide(proposal, user, approved, note=""):
    """Publish the `approved` keys of `proposal` (a subset of its changes) through the models'
    save, record the decision, and note it in the speaker's and talks' admin history. An empty
    `approved` rejects the proposal."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not proposal.is_pending:
        raise ValueError("This proposal was already decided.")
    approved = [key for key in proposal.changes if key in set(approved)]
    speaker = Speaker.objects.select_for_update().get(pk=proposal.speaker_id)
    talks = {talk.pk: talk for talk in authored_talks(speaker)}
    speaker_fields, old_photo = [], None
    for key in approved:
        value = proposal.changes[key]
        if key.startswith(ABSTRACT):
            talk = talks.get(int(key.removeprefix(ABSTRACT)))
            if talk is None:
                continue  # no longer an author: their proposal for it lapses
            talk.abstract = value
            talk.full_clean()
            talk.save()
            log(user, talk, f"Abstract as proposed by {speaker} on their speaker page.")
        elif key == "photo":
            if speaker.photo:
                old_photo = {"name": speaker.photo, "width": speaker.photo_width}
            speaker.set_photo(value["name"], value["width"], value["height"])
            speaker_fields.append(key)
        elif key == "affiliation":
            speaker.affiliation = affiliation_named(value) if value else None
            speaker_fields.append(key)
        else:
            setattr(speaker, key, value)
            speaker_fields.append(key)
    if speaker_fields:
        speaker.full_clean()
        speaker.save()
        labels = ", ".join(SPEAKER_FIELDS[key] for key in speaker_fields)
        log(user, speaker, f"Approved from their speaker page: {labels}.")
    if old_photo:
        forget_photo(old_photo)
    if "photo" in proposal.changes and "photo" not in approved:
        forget_photo(proposal.changes["photo"])
    if not approved:
        proposal.status = Proposal.Status.REJECTED
        log(user, speaker, f"Proposal from their speaker page not approved. Note: {note or '—'}")
    elif len(approved) < len(proposal.changes):
        proposal.status = Proposal.Status.PARTLY
    else:
        proposal.status = Proposal.Status.APPROVED
    proposal.approved_fields = approved
    proposal.note = note
    proposal.decided_at = timezone.now()
    proposal.decided_by = user
    proposal.save()
    return proposal
