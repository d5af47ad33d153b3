"""Template filters that print program times in the conference's own zone."""

from django import template
from django.utils import timezone

register = template.Library()


def clock(value):
    """ "9:00" / "10:30" (12-hour clock, no leading zero)."""
    return f"{value.hour % 12 or 12}:{value.minute:02d}"


def meridiem(value):
    return "am" if value.hour < 12 else "pm"


@register.filter
def time_range(obj):
    """A session's or talk's times in its conference's zone: "9:00–10:30 am PDT"; the first
    am/pm is dropped when both ends share it ("11:30 am–12:15 pm PDT" otherwise)."""
    conference = obj.conference if hasattr(obj, "conference") else obj.session.conference
    start = timezone.localtime(obj.start, conference.tz)
    end = timezone.localtime(obj.end, conference.tz)
    first = (
        clock(start) if meridiem(start) == meridiem(end) else f"{clock(start)} {meridiem(start)}"
    )
    return f"{first}–{clock(end)} {meridiem(end)} {end.tzname()}"
