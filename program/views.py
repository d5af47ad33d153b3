"""Public pages of the program. Views stay thin: the querysets name every join."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.generic import DetailView

from program import frab
from program.clock import program_clock
from program.models import Conference, Session, Talk
from program.search import SearchForm, search


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

    def get_context_data(self, **kwargs):
        sessions = [s for day in self.object.days.all() for s in day.sessions.all()]
        for session in sessions:
            # Prefetched sessions share this conference: give it to them so that their
            # links need no query each.
            session.conference = self.object
        return super().get_context_data(
            sessions=sessions,
            clock=program_clock(self.object, sessions, timezone.now()),
            **kwargs,
        )


class SessionDetailView(DetailView):
    """A session with its talks, and the sessions before and after it."""

    def get_queryset(self):
        preview = can_preview(self.request)
        sessions = Session.objects.all() if preview else Session.objects.published()
        return sessions.filter(conference__slug=self.kwargs["conference_slug"]).with_talks(
            include_drafts=preview
        )

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset(), number=self.kwargs["number"])

    def get_context_data(self, **kwargs):
        # The conference's sessions in program order, without their talks: one query.
        siblings = list(self.get_queryset().prefetch_related(None))
        index = next(i for i, s in enumerate(siblings) if s.pk == self.object.pk)
        return super().get_context_data(
            previous_session=siblings[index - 1] if index else None,
            next_session=siblings[index + 1] if index + 1 < len(siblings) else None,
            clock=program_clock(self.object.conference, siblings, timezone.now()),
            **kwargs,
        )


class TalkDetailView(DetailView):
    """A talk: when, who (with affiliations and bios), what, and where its media is."""

    def get_queryset(self):
        talks = Talk.objects.all() if can_preview(self.request) else Talk.objects.published()
        return talks.filter(
            session__conference__slug=self.kwargs["conference_slug"]
        ).with_speakers()


def search_view(request):
    """The search form and, once a query is given, its results grouped by kind."""
    form = SearchForm(request.GET or None)
    results = search(form.cleaned_data["q"]) if form.is_valid() else None
    return render(request, "program/search.html", {"form": form, "results": results})


# frab / c3voc schedule exports (program/frab.py): thin views, so they can be cached alike.


def frab_response(request, conference_slug, build, content_type, extension):
    conference = get_object_or_404(
        Conference.objects.published().with_program(), slug=conference_slug
    )
    response = HttpResponse(
        build(conference, request.build_absolute_uri), content_type=content_type
    )
    response["Content-Disposition"] = f'inline; filename="{conference.slug}-schedule.{extension}"'
    return response


@require_safe
def schedule_xml(request, conference_slug):
    """The conference's schedule in frab's XML, for schedule apps and video teams."""
    return frab_response(
        request, conference_slug, frab.schedule_xml, "application/xml; charset=utf-8", "xml"
    )


@require_safe
def schedule_json(request, conference_slug):
    """The conference's schedule in c3voc's schedule.json."""
    return frab_response(
        request, conference_slug, frab.schedule_json, "application/json; charset=utf-8", "json"
    )
