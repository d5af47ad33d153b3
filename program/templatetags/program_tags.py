"""Template tags that print program times in the conference's own zone and bylines with links."""

from datetime import UTC
from html import escape
from urllib.parse import quote

from django import template
from django.utils import timezone
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe

from program.events import place_of, talk_times
from program.links import SAFE, SLUG, path_format
from speakers.bylines import author_groups, join_names

register = template.Library()


def clock(value):
    """ "9:00" / "10:30" (12-hour clock, no leading zero)."""
    return f"{value.hour % 12 or 12}:{value.minute:02d}"


def meridiem(value):
    return "am" if value.hour < 12 else "pm"


def times_of(obj):
    """A session's (start, end), or a talk's effective times (`program.events.talk_times`)."""
    return talk_times(obj, obj.session) if hasattr(obj, "session_id") else (obj.start, obj.end)


def conference_of(obj):
    return obj.conference if hasattr(obj, "conference") else obj.session.conference


@register.filter
def time_range(obj):
    """A session's or talk's times in its conference's zone: "9:00–10:30 am PDT"; the first
    am/pm is dropped when both ends share it ("11:30 am–12:15 pm PDT" otherwise)."""
    conference = conference_of(obj)
    start, end = times_of(obj)
    start, end = timezone.localtime(start, conference.tz), timezone.localtime(end, conference.tz)
    first = (
        clock(start) if meridiem(start) == meridiem(end) else f"{clock(start)} {meridiem(start)}"
    )
    return f"{first}–{clock(end)} {meridiem(end)} {end.tzname()}"


def utc_iso(value):
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


@register.simple_tag
def when(obj, *, with_date=False):
    """A `<time>` holding the conference's time as text and the UTC instants as data, which
    static/js/local-time.js reads to add the viewer's own time beside it."""
    conference = conference_of(obj)
    start, end = times_of(obj)
    text = time_range(obj)
    if with_date:
        local = timezone.localtime(start, conference.tz)
        text = f"{local:%A, %B} {local.day}, {text}"
    return format_html(
        '<time class="when" datetime="{}" data-end="{}" data-zone="{}">{}</time>',
        utc_iso(start),
        utc_iso(end),
        conference.time_zone,
        text,
    )


@register.filter
def place(session):
    """Where the session happens (`program.events.place_of`), for includes/place.html."""
    return place_of(session)


@register.filter
def html_datetime(value):
    """An instant as an HTML `datetime` attribute accepts it: UTC, to the second (HTML allows
    at most three digits of a fraction; `|date:'c'` writes six)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.simple_tag
def byline(talk, current=None):
    """The author line exactly as printed, each name linking to its speaker and each
    organisation to its page, except the page at `current` (the one being read)."""
    return mark_safe(byline_html(talk, current=current))


@register.simple_tag
def plain_byline(talk):
    """The author line exactly as printed, without links (the program page: its names are
    linked on the talk pages, not 75 more tab stops here)."""
    return mark_safe(byline_html(talk, plain=True))


def byline_html(talk, links=None, *, plain=False, current=None):
    # Plain escaping and joining: format_html's lazy wrappers cost more than the text itself
    # on a program of thousands of names. `links` (from byline_links) serves a whole page.
    speaker_path, affiliation_path = links or byline_links()

    def link(url, text):
        return text if plain or url == current else f'<a href="{url}">{text}</a>'

    parts = []
    for affiliation, members in author_groups(talk.byline):
        names = join_names(
            link(speaker_path.format(slug=slug_text(m.speaker_slug)), escape(m.printed_name))
            for m in members
        )
        if affiliation:
            url = affiliation_path.format(slug=slug_text(affiliation.slug))
            parts.append(f"{names}, {link(url, escape(str(affiliation)))}")
        else:
            parts.append(names)
    return "; ".join(parts)


def byline_links():
    return (
        path_format("speakers:speaker_detail", slug=""),
        path_format("speakers:affiliation_detail", slug=""),
    )


def slug_text(slug):
    """A slug as reverse() puts it in a path (slugs need no quoting; anything else does)."""
    return slug if SLUG.fullmatch(slug) else quote(slug, safe=SAFE)


@register.simple_tag
def talk_rows(session, heading="h3", open_abstracts=False):
    """The session's talks as includes/talk.html renders them one by one in its compact form
    (`compact=True`, `heading` as talk_heading, `open_abstracts`), byte for byte, from Python:
    the program page lists every talk of the conference, and a template include per talk was
    most of its rendering time."""
    rows = []
    links = byline_links()
    talk_path = path_format("program:talk_detail", conference_slug="", slug="")
    conference_slug = slug_text(session.conference.slug)
    details = '<details class="talk-abstract"' + (" open>" if open_abstracts else ">")
    for talk in session.talks.all():
        slug = escape(talk.slug)
        title = escape(talk.title)
        url = talk_path.format(conference_slug=conference_slug, slug=slug_text(talk.slug))
        media = (
            f'<p class="media"><a href="{escape(talk.media_url)}">Available Media</a></p>'
            if talk.media_url
            else ""
        )
        abstract = (
            f'{details}<summary><span class="visually-hidden">{title}: </span>Abstract</summary>'
            '<div class="abstract">'
            f"{linebreaks(talk.abstract, autoescape=True)}</div></details>"
            if talk.abstract
            else ""
        )
        rows.append(
            f'\n    <article class="talk" id="talk-{slug}" aria-labelledby="talk-{slug}-title">\n'
            f'  <{heading} id="talk-{slug}-title"><a href="{escape(url)}">'
            f"{title}</a></{heading}>"
            f'<span class="pick-slot" data-pick="{talk.uid}" data-pick-title="{title}">'
            "</span>\n"
            "  \n"
            f'  <p class="authors">{byline_html(talk, links, plain=True)}</p>\n'
            f"  {media}\n"
            f"  {abstract}\n"
            "</article>\n\n  "
        )
    return mark_safe("".join(rows))
