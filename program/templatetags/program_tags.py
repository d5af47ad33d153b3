"""Template tags that print program times in the conference's own zone and bylines with links."""

from datetime import UTC

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from speakers.bylines import author_groups, join_names

register = template.Library()


def clock(value):
    """ "9:00" / "10:30" (12-hour clock, no leading zero)."""
    return f"{value.hour % 12 or 12}:{value.minute:02d}"


def meridiem(value):
    return "am" if value.hour < 12 else "pm"


def timed(obj):
    """The object that carries the times: a talk without its own times takes its session's."""
    return obj if obj.start else obj.session


def conference_of(obj):
    return obj.conference if hasattr(obj, "conference") else obj.session.conference


@register.filter
def time_range(obj):
    """A session's or talk's times in its conference's zone: "9:00–10:30 am PDT"; the first
    am/pm is dropped when both ends share it ("11:30 am–12:15 pm PDT" otherwise)."""
    conference = conference_of(obj)
    start = timezone.localtime(obj.start, conference.tz)
    end = timezone.localtime(obj.end, conference.tz)
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
    obj = timed(obj)
    conference = conference_of(obj)
    text = time_range(obj)
    if with_date:
        start = timezone.localtime(obj.start, conference.tz)
        text = f"{start:%A, %B} {start.day}, {text}"
    return format_html(
        '<time class="when" datetime="{}" data-end="{}" data-zone="{}">{}</time>',
        utc_iso(obj.start),
        utc_iso(obj.end),
        conference.time_zone,
        text,
    )


@register.simple_tag
def byline(talk):
    """The author line exactly as printed, each name linking to its speaker and each
    organisation to its page."""
    parts = []
    for affiliation, members in author_groups(talk.authorships.all()):
        # join_names only joins; every piece was escaped by format_html.
        names = mark_safe(
            join_names(
                format_html('<a href="{}">{}</a>', m.speaker.get_absolute_url(), m.printed_name)
                for m in members
            )
        )
        if affiliation:
            parts.append(
                format_html(
                    '{}, <a href="{}">{}</a>', names, affiliation.get_absolute_url(), affiliation
                )
            )
        else:
            parts.append(names)
    return mark_safe("; ".join(parts))
