"""The e-mail that carries a speaker's personal link, through Django's mail API (the backend is
the operator's choice: console or files in development, SMTP in production; see
docs/committee/speaker-links.md)."""

import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from selfservice.models import SpeakerLink


def send_links(speakers, user, request):
    """Send each of `speakers` a new link (replacing the ones sent before); returns the speakers
    sent one, those skipped for want of an e-mail address, and those whose e-mail could not be
    handed to the mail server (their new link is not kept, the old one still works)."""
    sent, skipped, failed = [], [], []
    page = request.build_absolute_uri(reverse("selfservice:open"))
    for speaker in speakers:
        if not speaker.email:
            skipped.append(speaker)
            continue
        try:
            send_link(speaker, user, page)
        except (OSError, smtplib.SMTPException):
            failed.append(speaker)
        else:
            sent.append(speaker)
    return sent, skipped, failed


@transaction.atomic
def send_link(speaker, user, page):
    """Issue `speaker` a new link and e-mail it; nothing is kept if the mail cannot go."""
    link, secret = SpeakerLink.issue(speaker, user)
    context = {
        "speaker": speaker,
        "url": f"{page}#{secret}",
        "code": secret,
        "expires_at": link.expires_at,
        "days": settings.SPEAKER_LINK_DAYS,
        "site_name": settings.SITE_NAME,
    }
    send_mail(
        subject=f"{settings.SITE_NAME}: your speaker page",
        message=render_to_string("selfservice/link_email.txt", context),
        from_email=None,
        recipient_list=[speaker.email],
    )
