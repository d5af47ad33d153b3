"""Public pages of the program, its people and their organisations. Views stay thin: the
querysets name every join and say what is public; `PreviewMixin` is the one hook that lets
staff see drafts."""

from dataclasses import dataclass, field
from functools import wraps

from django.conf import settings
from django.db.models import Max, Min, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from program import filters, frab
from program.clock import conference_today, program_clock
from program.events import talk_times, withdrawn_talks
from program.models import Conference, Session, Talk
from program.picks import PickList
from program.search import SearchForm, search
from speakers.models import Affiliation, AffiliationAlias, Authorship, Speaker, SpeakerAlias

# Who may read draft talks in the admin may read them on the site: the Program committee group
# holds this permission; a staff account without it sees only what the public sees.
PREVIEW_PERMISSION = "program.view_talk"


def can_preview(request):
    """Whether this visitor sees drafts, to check a program before publishing it."""
    return request.user.is_staff and request.user.has_perm(PREVIEW_PERMISSION)


class PreviewMixin:
    """Decides once per request whether drafts are shown (`preview`), and hands the views the
    talks the visitor may see, which is what makes people and organisations public."""

    @cached_property
    def preview(self):
        return can_preview(self.request)

    def visible_talks(self):
        return Talk.objects.visible(self.preview)

    def visible_speakers(self):
        return (
            Speaker.objects.all()
            if self.preview
            else Speaker.objects.presenting(self.visible_talks())
        )


@dataclass
class ConferenceTimes:
    """Where a conference stands against today (in its own zone): on now, to come, or past."""

    on_now: list
    upcoming: list
    past_by_year: list  # [(year, [conference, ...]), ...], newest first


def conferences_by_time(conferences, now):
    """Conferences annotated with `first_day` and `last_day`: the one(s) on now, then those to
    come (soonest first), then past ones by year (newest first). One without days is to come."""
    on_now, upcoming, past = [], [], []
    for conference in conferences:
        today = timezone.localtime(now, conference.tz).date()
        if conference.first_day is None or conference.first_day > today:
            upcoming.append(conference)
        elif conference.last_day < today:
            past.append(conference)
        else:
            on_now.append(conference)
    upcoming.sort(key=lambda c: (c.first_day is None, c.first_day or now.date(), c.name))
    past.sort(key=lambda c: (c.first_day, c.name), reverse=True)
    years = {}
    for conference in past:
        years.setdefault(conference.first_day.year, []).append(conference)
    return ConferenceTimes(on_now, upcoming, list(years.items()))


def home(request):
    """The published conferences (the one on now, then those to come, then past ones by year),
    or straight to the program when there is only one."""
    conferences = list(
        Conference.objects.published().annotate(
            first_day=Min("days__date"), last_day=Max("days__date")
        )
    )
    if len(conferences) == 1:
        return redirect(conferences[0])
    return render(
        request,
        "program/home.html",
        {
            "conferences": conferences,
            "times": conferences_by_time(conferences, timezone.now()),
        },
    )


def by_conference(talks):
    """Talks grouped by conference, newest conference first, each group in program order:
    [(conference, year, [talk, ...]), ...]. A talk's session and conference must be loaded."""
    groups = {}
    for talk in talks:
        groups.setdefault(talk.session.conference, []).append(talk)
    result = []
    for conference, group in groups.items():
        group.sort(key=lambda t: (t.session.start, t.order, t.pk))
        first = timezone.localtime(group[0].session.start, conference.tz)
        result.append((conference, first.year, group, group[0].session.start))
    result.sort(key=lambda g: g[3], reverse=True)
    return [(conference, year, group) for conference, year, group, _ in result]


class CanonicalPathMixin:
    """One address per page: another spelling of it (`/opml20/sessions/01/` for
    `/opml20/sessions/1/`) answers a permanent redirect to the object's own URL, so search
    engines and shared links count one page."""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        canonical = self.object.get_absolute_url()
        if request.path != canonical:
            query = request.META.get("QUERY_STRING")
            return redirect(f"{canonical}?{query}" if query else canonical, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))


def parallel_groups(sessions):
    """A day's sessions in time order, grouped so that sessions on at the same time (by
    `Session.overlaps`, also through a chain of overlaps) share a group: [[session, ...], ...]."""
    groups = []
    for session in sorted(sessions, key=lambda s: (s.start, s.order, s.number)):
        if groups and any(session.overlaps(other) for other in groups[-1]):
            groups[-1].append(session)
        else:
            groups.append([session])
    return groups


@dataclass
class ProgramDay:
    """A day of the program page: its sessions grouped by overlap, and where it stands while
    the conference is on (today, or past). On today, `earlier` holds the slots already over,
    which the page folds so that what is on now comes first."""

    day: object
    groups: list
    is_today: bool = False
    is_past: bool = False
    earlier: list = field(default_factory=list)

    @property
    def anchor(self):
        return f"day-{self.day.date:%Y-%m-%d}"


def fold_ended(groups, now):
    """Split a day's slots into those over by `now` (each of its sessions ended) and the rest."""
    over = 0
    while over < len(groups) and all(s.end <= now for s in groups[over]):
        over += 1
    return groups[:over], groups[over:]


def today_first(program_days):
    """While a conference is on, today comes first, then the days to come, then the past days
    (which the page folds to one line each); otherwise the days in order."""
    today = [d for d in program_days if d.is_today]
    if not today:
        return program_days
    future = [d for d in program_days if not d.is_today and not d.is_past]
    return today + future + [d for d in program_days if d.is_past]


class ConferenceDetailView(CanonicalPathMixin, PreviewMixin, DetailView):
    """The whole program of a conference: days → sessions → talks → authors, compact (abstracts
    and descriptions open in place; `?abstracts=all` prints them open). While the conference is
    on it opens on today. Filters (program/filters.py) narrow it by day, room and kind."""

    def get_queryset(self):
        return Conference.objects.visible(self.preview).with_program(include_drafts=self.preview)

    def get_context_data(self, **kwargs):
        now = timezone.now()
        days = [(day, list(day.sessions.all())) for day in self.object.days.all()]
        sessions = [s for _, day_sessions in days for s in day_sessions]
        for session in sessions:
            # Prefetched sessions share this conference: give it to them so that their
            # links need no query each.
            session.conference = self.object
        today = conference_today(self.object, sessions, now)
        rooms = sorted({s.room for s in sessions} - {""})
        program_filter = filters.ProgramFilter.from_query(
            self.request.GET, days={day.date for day, _ in days}, rooms=set(rooms)
        )
        program_days = []
        for day, day_sessions in days:
            day_sessions = [s for s in day_sessions if program_filter.keeps(s)]
            if not day_sessions:
                continue
            program_day = ProgramDay(
                day=day,
                groups=parallel_groups(day_sessions),
                is_today=day.date == today,
                is_past=today is not None and day.date < today,
            )
            if program_day.is_today:
                program_day.earlier, program_day.groups = fold_ended(program_day.groups, now)
            program_days.append(program_day)
        return super().get_context_data(
            sessions=sessions,
            program_days=today_first(program_days),
            calendar_days=program_days,
            today=next((d for d in program_days if d.is_today), None),
            open_abstracts=self.request.GET.get("abstracts") == "all",
            clock=program_clock(self.object, sessions, now),
            program_filter=program_filter,
            show_talks=program_filter.shows_talks,
            filter_days=[day for day, day_sessions in days if day_sessions],
            filter_rooms=rooms,
            filter_kinds=filters.Kind.CHOICES,
            **kwargs,
        )


def frameable_by_embed_origins(view):
    """Let the origins in settings.EMBED_ALLOWED_ORIGINS frame this view's pages (CSP
    frame-ancestors, read at each response so that it follows the settings); with none listed,
    or on any other view, the site-wide policy refuses every frame."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        origins = list(settings.EMBED_ALLOWED_ORIGINS)
        if origins:
            response._csp_replace = {"frame-ancestors": origins}  # django-csp's per-view hook
            response.xframe_options_exempt = True  # CSP says who may frame it, not DENY
        return response

    return wrapped


class ConferenceEmbedView(ConferenceDetailView):
    """The program made for an <iframe> on the conference's own site: no site header or
    footer, no picks; links open on this site in a new tab."""

    template_name = "program/conference_embed.html"

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(object=self.object))


class SessionDetailView(CanonicalPathMixin, PreviewMixin, DetailView):
    """A session with its talks, and the sessions before and after it."""

    def get_queryset(self):
        return (
            Session.objects.visible(self.preview)
            .filter(conference__slug=self.kwargs["conference_slug"])
            .with_talks(include_drafts=self.preview)
        )

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset(), number=self.kwargs["number"])

    def get_context_data(self, **kwargs):
        # The conference's sessions in program order, without their talks: one query.
        siblings = list(self.get_queryset().prefetch_related(None))
        index = next(i for i, s in enumerate(siblings) if s.pk == self.object.pk)
        return super().get_context_data(
            conference=self.object.conference,
            previous_session=siblings[index - 1] if index else None,
            next_session=siblings[index + 1] if index + 1 < len(siblings) else None,
            clock=program_clock(self.object.conference, siblings, timezone.now()),
            **kwargs,
        )


class TalkDetailView(CanonicalPathMixin, PreviewMixin, DetailView):
    """A talk: when, who (with affiliations and bios), what, and where its media is."""

    def get_queryset(self):
        return (
            self.visible_talks()
            .filter(session__conference__slug=self.kwargs["conference_slug"])
            .with_speakers()
        )

    def get_context_data(self, **kwargs):
        # The header's links stay within the conference being read.
        return super().get_context_data(conference=self.object.session.conference, **kwargs)


@require_safe
def robots_txt(request):
    """Crawlers may read every public page; the admin and the operators' endpoints are not for
    them. The sitemap lists the pages, by its absolute URL as the robots.txt standard (RFC 9309)
    and sitemaps.org ask."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        # The load balancer's and Prometheus's endpoints (ops/views.py): nothing to index.
        "Disallow: /healthz",
        "Disallow: /readyz",
        "Disallow: /metrics",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def css_string(value):
    """`value` as a quoted CSS string: quotes, backslashes and anything unprintable escaped."""
    return (
        '"'
        + "".join(
            ch if ch.isprintable() and ch not in '"\\<>' else f"\\{ord(ch):x} " for ch in value
        )
        + '"'
    )


@require_safe
@cache_control(public=True, max_age=300)
def print_stylesheet(request, slug):
    """The printed program's running foot, the conference's name on every page (CSS page
    margin boxes; the site's policy allows no inline style, hence a stylesheet of its own)."""
    conference = get_object_or_404(Conference.objects.visible(can_preview(request)), slug=slug)
    css = (
        "@media print { @page { @bottom-left { content: "
        f"{css_string(conference.program_title)}; font-size: 8pt; }} }} }}\n"
    )
    return HttpResponse(css, content_type="text/css; charset=utf-8")


def search_view(request):
    """The search form and, once a query is given, its results grouped by kind."""
    form = SearchForm(request.GET or None)
    results = search(form.cleaned_data["q"]) if form.is_valid() else None
    return render(request, "program/search.html", {"form": form, "results": results})


class FollowMergesMixin:
    """The URL of a record merged away in the admin redirects (301) to the record it was merged
    into, so links shared before the merge keep working; only to a page this visitor may see,
    so a redirect never tells the name of a draft-only person or organisation."""

    alias_model = None

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            successor = self.alias_model.successor(kwargs["slug"])
            if successor is None or not self.get_queryset().filter(pk=successor.pk).exists():
                raise
            return redirect(successor, permanent=True)


class SpeakerDetailView(FollowMergesMixin, PreviewMixin, DetailView):
    """A person, their bio, and every talk they gave, across conferences."""

    alias_model = SpeakerAlias

    def get_queryset(self):
        return self.visible_speakers().with_talks(self.visible_talks())

    def get_context_data(self, **kwargs):
        talks = [authorship.talk for authorship in self.object.authorships.all()]
        return super().get_context_data(talk_groups=by_conference(talks), **kwargs)


class AffiliationDetailView(FollowMergesMixin, PreviewMixin, DetailView):
    """An organisation, the people who spoke for it or work there, and their talks: each talk
    once, even when several of its authors share the organisation."""

    alias_model = AffiliationAlias

    def get_queryset(self):
        if self.preview:
            return Affiliation.objects.all()
        return Affiliation.objects.public(self.visible_talks())

    def get_context_data(self, **kwargs):
        printed_here = Authorship.objects.filter(affiliation=self.object).values("speaker")
        speakers = list(
            self.visible_speakers()
            .filter(Q(affiliation=self.object) | Q(pk__in=printed_here))
            .with_talks(self.visible_talks())
            .order_by("name", "pk")
        )
        talks = {}
        for speaker in speakers:
            for authorship in speaker.authorships.all():
                talks.setdefault(authorship.talk_id, authorship.talk)
        return super().get_context_data(
            speakers=speakers,
            talk_groups=by_conference(talks.values()),
            **kwargs,
        )


class SpeakerListView(PreviewMixin, ListView):
    """Every public speaker, by name, with their organisation."""

    template_name = "speakers/speaker_list.html"

    def get_queryset(self):
        return self.visible_speakers().select_related("affiliation").order_by("name", "pk")


class AffiliationListView(PreviewMixin, ListView):
    """Every organisation with a public page, by name."""

    template_name = "speakers/affiliation_list.html"

    def get_queryset(self):
        if self.preview:
            return Affiliation.objects.all()
        return Affiliation.objects.public(self.visible_talks())


class ConferenceSpeakerListView(PreviewMixin, ListView):
    """The speakers of one conference, by name."""

    template_name = "speakers/speaker_list.html"

    def get_queryset(self):
        self.conference = get_object_or_404(
            Conference.objects.visible(self.preview), slug=self.kwargs["slug"]
        )
        talks = self.visible_talks().filter(session__conference=self.conference)
        return (
            Speaker.objects.presenting(talks).select_related("affiliation").order_by("name", "pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(conference=self.conference, **kwargs)


class SessionListView(PreviewMixin, ListView):
    """The sessions of one conference: when, title, Slack line and how many talks."""

    template_name = "program/session_list.html"

    def get_queryset(self):
        self.conference = get_object_or_404(
            Conference.objects.visible(self.preview), slug=self.kwargs["slug"]
        )
        return (
            Session.objects.visible(self.preview)
            .filter(conference=self.conference)
            .select_related("conference")
            .prefetch_related(Prefetch("talks", queryset=self.visible_talks()))
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(conference=self.conference, **kwargs)


# frab / c3voc schedule exports (program/frab.py): thin views, so they can be cached alike.


def frab_response(request, conference_slug, build, content_type, extension):
    conference = get_object_or_404(
        Conference.objects.published().select_related("version").with_program(),
        slug=conference_slug,
    )
    cancelled = [
        (frab.track_name(session), event)
        for session, event in withdrawn_talks(conference, timezone.now())
    ]
    response = HttpResponse(
        build(conference, request.build_absolute_uri, cancelled), content_type=content_type
    )
    response["Content-Disposition"] = content_disposition_header(
        False, f"{conference.slug}-schedule.{extension}"
    )
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


def mark_clashes(items):
    """Note on each picked item what it overlaps: a talk inside a picked session is `covered`
    by it (one event, not a clash); anything else on at the same time `clashes`."""
    picked_sessions = {item["object"].pk for item in items if "session" not in item}
    for item in items:
        item["covered"] = "session" in item and item["session"].pk in picked_sessions
        item["clashes"] = []
    for i, item in enumerate(items):
        if item["covered"]:
            continue
        for other in items[i + 1 :]:
            if other["covered"] or other["start"] >= item["end"]:
                continue
            if item["start"] < other["end"]:
                item["clashes"].append(other["title"])
                other["clashes"].append(item["title"])


def picks_by_day(items):
    """Items grouped by conference and day, in the conference's zone: [(conference, date,
    [item, ...]), ...] in time order."""
    days = {}
    for item in items:
        conference = item["conference"]
        date = timezone.localtime(item["start"], conference.tz).date()
        days.setdefault((conference.pk, date), (conference, date, []))[2].append(item)
    return list(days.values())


def my_picks(request):
    """ "My picks" without a list: what picks are. static/js/picks.js sends a browser that has a
    list on to its page."""
    context = {"pick_list": None, "expire_days": settings.PICKS_EXPIRE_DAYS}
    return render(request, "program/picks.html", context)


@method_decorator(cache_control(private=True, max_age=0), name="dispatch")
class PickListDetailView(DetailView):
    """An attendee's picks, rendered from their server-side list: the page's address holds the
    read-only feed secret, as the feed's does. Reading it writes nothing."""

    template_name = "program/picks.html"
    context_object_name = "pick_list"

    def get_object(self, queryset=None):
        return get_object_or_404(PickList.objects.by_feed(self.kwargs["feed"]))

    def get_context_data(self, **kwargs):
        uids = self.object.uids
        sessions = Session.objects.published().filter(uid__in=uids).select_related("conference")
        talks = (
            Talk.objects.published()
            .filter(uid__in=uids)
            .select_related("session__conference")
            .with_speakers()
        )
        items = [
            {
                "object": s,
                "title": str(s),
                "conference": s.conference,
                "start": s.start,
                "end": s.end,
                "order": (s.start, 0, s.order),
            }
            for s in sessions
        ] + [
            {
                "object": t,
                "title": t.title,
                "conference": t.session.conference,
                "start": talk_times(t, t.session)[0],
                "end": talk_times(t, t.session)[1],
                "session": t.session,
                "order": (talk_times(t, t.session)[0], 1, t.order),
            }
            for t in talks
        ]
        items.sort(key=lambda item: item["order"])
        mark_clashes(items)
        return super().get_context_data(
            items=items,
            days=picks_by_day(items),
            feed=self.kwargs["feed"],
            expire_days=settings.PICKS_EXPIRE_DAYS,
            feed_url=reverse("feeds:picks", kwargs={"token": self.kwargs["feed"]}),
            **kwargs,
        )
