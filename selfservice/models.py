"""Speakers' own page: the personal links the committee sends, and what speakers propose.

A link is a random secret (`secrets.token_urlsafe`) of which the database keeps only the
SHA-256, as for "My picks" (program/picks.py): a copy of the database opens nobody's page, and a
link can be revoked by marking its row. It is tied to one speaker, expires after
`SPEAKER_LINK_DAYS`, and may be used any number of times until then. Sending a new link to a
speaker replaces (revokes) the ones sent before.

A proposal is what a speaker asked to change, field by field (`changes`); nothing of it is
public until a committee member decides (`Proposal.decide`), and every proposal and decision is
kept.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from speakers.models import Speaker

SECRET_LENGTH = 43  # token_urlsafe(32)


def digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


class LinkState(models.TextChoices):
    VALID = "valid", "valid"
    EXPIRED = "expired", "expired"
    REVOKED = "revoked", "revoked"
    REPLACED = "replaced", "replaced by a newer link"


class SpeakerLinkQuerySet(models.QuerySet):
    def by_secret(self, secret):
        """The link whose secret this is (none for anything malformed or unknown)."""
        if not isinstance(secret, str) or len(secret) != SECRET_LENGTH:
            return self.none()
        return self.filter(digest=digest(secret)).select_related("speaker")

    def usable(self, now=None):
        return self.filter(revoked_at=None, expires_at__gt=now or timezone.now())


class SpeakerLink(models.Model):
    """A personal link to a speaker's own page (its secret is only ever in the e-mail)."""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="page_links")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    sent_to = models.EmailField()
    sent_at = models.DateTimeField(default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    replaced = models.BooleanField(default=False, help_text="Revoked by sending a newer link.")
    first_opened_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)

    objects = SpeakerLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return f"Link for {self.speaker} sent {self.sent_at:%Y-%m-%d %H:%M} UTC"

    @classmethod
    def issue(cls, speaker, user):
        """A new link for `speaker` (revoking theirs still in use): (link, secret)."""
        now = timezone.now()
        cls.objects.filter(speaker=speaker, revoked_at=None).update(revoked_at=now, replaced=True)
        secret = secrets.token_urlsafe(32)
        link = cls.objects.create(
            speaker=speaker,
            digest=digest(secret),
            sent_to=speaker.email,
            sent_by=user,
            sent_at=now,
            expires_at=now + timedelta(days=settings.SPEAKER_LINK_DAYS),
        )
        return link, secret

    def state(self, now=None):
        if self.revoked_at:
            return LinkState.REPLACED if self.replaced else LinkState.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return LinkState.EXPIRED
        return LinkState.VALID


class Proposal(models.Model):
    """Changes a speaker asked for, and the committee's decision on them."""

    class Status(models.TextChoices):
        PENDING = "pending", "waiting for the committee"
        APPROVED = "approved", "approved"
        PARTLY = "partly", "partly approved"
        REJECTED = "rejected", "not approved"
        REPLACED = "replaced", "replaced by a newer proposal"

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="proposals")
    link = models.ForeignKey(
        SpeakerLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    # {field: proposed value}: speaker fields by name ("bio", "photo": {name, width, height},
    # "affiliation": an organisation's name) and "abstract:<talk id>" for a talk's abstract.
    changes = models.JSONField()
    submitted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    approved_fields = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True, help_text="Shown to the speaker on their page.")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["speaker"],
                condition=models.Q(status="pending"),
                name="one_pending_proposal_per_speaker",
            )
        ]

    def __str__(self):
        return f"{self.speaker}'s proposal of {self.submitted_at:%Y-%m-%d %H:%M} UTC"

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING
