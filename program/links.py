"""The site's paths, built fast: `reverse()` runs once per URL name, then each path is a string
format. The program page links every talk, speaker and organisation (7,000 links for 1,000
talks), and `reverse()` is the largest cost of rendering it."""

import re
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# What reverse() leaves unquoted (django.urls.resolvers: RFC 3986 sub-delimiters and "/~:@").
SAFE = "!$&'()*+,;=/~:@"
SLUG = re.compile(r"[-a-zA-Z0-9_]+")  # what needs no quoting
_templates = {}


def path_to(name, **kwargs):
    """reverse(name, kwargs=kwargs) for slug and integer arguments, without reverse()."""
    template = path_format(name, **kwargs)
    return template.format(
        **{k: v if SLUG.fullmatch(str(v)) else quote(str(v), safe=SAFE) for k, v in kwargs.items()}
    )


def path_template(name, kwargs):
    """The path with a {placeholder} for each argument, found by reversing unique markers."""
    markers = {}
    for index, (key, value) in enumerate(sorted(kwargs.items())):
        markers[key] = str(7919000 + index) if isinstance(value, int) else f"zq{index}{key}qz"
    path = reverse(name, kwargs=markers).replace("{", "{{").replace("}", "}}")
    for key, marker in markers.items():
        assert path.count(marker) == 1, (name, path)
        path = path.replace(marker, f"{{{key}}}")
    return path


def path_format(name, **kwargs):
    """A str.format template of the path for `name`, its arguments named as in `kwargs` (whose
    values only tell integers from slugs): for loops that build thousands of paths."""
    key = (name, tuple(sorted(kwargs)), get_script_prefix(), get_urlconf(), settings.ROOT_URLCONF)
    template = _templates.get(key)
    if template is None:
        template = _templates[key] = path_template(name, kwargs)
    return template
