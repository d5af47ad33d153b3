"""Public pages of the program. Views stay thin: the querysets name every join."""

from django.shortcuts import get_object_or_404, redirect, render
from django.views.generic import DetailView

from program.models import Conference, Session, Talk


def can_preview(request):
    """Staff see drafts, so they can check a program before publishing it."""
    return request.user.is_staff


def home(request):
    """The published conferences, or straight to the program when there is only one."""
    conferences = list(Conference.objects.published())
    if len(conferences) == 1:
        return redirect(conferences[0])
    return render(request, "program/home.html", {"conferences": conferences})


class ConferenceDetailView(DetailView):
    """The whole program of a conference: days → sessions → talks → authors."""

    def get_queryset(self):
        preview = can_preview(self.request)
        conferences = Conference.objects.all() if preview else Conference.objects.published()
        return conferences.with_program(include_drafts=preview)


class SessionDetailView(DetailView):
    def get_queryset(self):
        preview = can_preview(self.request)
        sessions = Session.objects.all() if preview else Session.objects.published()
        return sessions.filter(conference__slug=self.kwargs["conference_slug"]).with_talks(
            include_drafts=preview
        )

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset(), number=self.kwargs["number"])


class TalkDetailView(DetailView):
    def get_queryset(self):
        talks = Talk.objects.all() if can_preview(self.request) else Talk.objects.published()
        return talks.filter(
            session__conference__slug=self.kwargs["conference_slug"]
        ).with_speakers()
