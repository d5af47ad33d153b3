"""The session list's action that proposes per-talk times (an even split) for the committee to
review and save: the program itself never splits a session, so a talk's time is always a fact
someone entered."""

import itertools
from datetime import datetime, time, timedelta

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from program.admin.common import count_of
from program.models import Talk


def even_split(start, end, count):
    """`count` slots one after the other from `start` to `end`, in equal shares of whole
    minutes: a proposal for the committee, never a published fact."""
    minutes = int((end - start).total_seconds() // 60)
    bounds = [start + timedelta(minutes=i * minutes // count) for i in range(count)] + [end]
    return list(itertools.pairwise(bounds))


def talk_times_from(data, sessions):
    """The talks of `sessions` with the local times ("HH:MM") posted for them, validated as the
    talk form would; raises ValidationError naming the talk at fault, and changes nothing."""
    talks = []
    for session in sessions:
        day = timezone.localtime(session.start, session.conference.tz).date()
        for talk in session.talks.all():
            try:
                start, end = (
                    datetime.combine(
                        day,
                        time.fromisoformat(data[f"{edge}-{talk.pk}"]),
                        tzinfo=session.conference.tz,
                    )
                    for edge in ("start", "end")
                )
            except (KeyError, ValueError):
                raise ValidationError(f"Give “{talk}” a start and an end (HH:MM).") from None
            talk.start, talk.end = start, end
            talk.session = session
            try:
                talk.clean()
            except ValidationError as error:
                raise ValidationError(f"“{talk}”: {' '.join(error.messages)}") from None
            talks.append(talk)
    return talks


class ProposeTalkTimesMixin:
    """For SessionAdmin: the "Propose talk times (even split)…" action."""

    @admin.action(description="Propose talk times (even split)…", permissions=["change"])
    def propose_talk_times(self, request, queryset):
        """Propose an even split of each session among its talks, for the committee to review
        and save as the talks' own times: the program never splits a session on its own."""
        sessions = list(queryset.select_related("conference").prefetch_related("talks"))
        if request.POST.get("apply") == "yes":
            try:
                talks = talk_times_from(request.POST, sessions)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                for talk in talks:
                    talk.save(update_fields=["start", "end", "updated_at"])
                self.message_user(request, f"Saved the times of {count_of(len(talks), Talk)}.")
                return None
        proposal = []
        for session in sessions:
            talks = list(session.talks.all())
            slots = even_split(session.start, session.end, len(talks)) if talks else []
            local = [
                tuple(f"{timezone.localtime(t, session.conference.tz):%H:%M}" for t in slot)
                for slot in slots
            ]
            proposal.append((session, [(t, *times) for t, times in zip(talks, local, strict=True)]))
        context = self.admin_site.each_context(request) | {
            "proposal": proposal,
            "changelist_url": reverse("admin:program_session_changelist"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/program/session/propose_talk_times.html", context)
