"""Text hygiene for everything typed or imported into the program.

One home for the rule, used by the importer's parser and by the models' form and admin input:
control characters are dropped (RFC 5545 forbids them in calendar text, and they are invisible
on a page), and the Unicode line and paragraph separators become plain newlines, so a line
number means what an editor shows.
"""

import re

from django.core.validators import URLValidator
from django.db import models

# U+0000–U+001F except tab, line feed and carriage return, and U+007F (DEL).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# NEXT LINE, LINE SEPARATOR and PARAGRAPH SEPARATOR.
UNICODE_NEWLINES = re.compile("[\u0085\u2028\u2029]")


def normalise_text(value):
    """`value` with control characters removed and Unicode line separators turned into "\\n"."""
    return CONTROL_CHARACTERS.sub("", UNICODE_NEWLINES.sub("\n", value))


class NormalisedTextMixin:
    """For models: every text field (CharField, TextField and their kinds) goes through
    `normalise_text` when the model is validated, so every admin form, and anything else that
    calls `full_clean()`, stores clean text. Put it before the model base class."""

    def clean_fields(self, exclude=None):
        for field in self._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)):
                value = getattr(self, field.attname)
                if isinstance(value, str):
                    setattr(self, field.attname, normalise_text(value))
        super().clean_fields(exclude=exclude)


# Links typed by the committee or a speaker (Slack channels, media pages, homepages) are web
# addresses, nothing else: no ftp:, javascript: or file: links on a public page or in an
# export. Its own code keeps forms from replacing the message with their generic
# "Enter a valid URL.".
validate_web_url = URLValidator(
    schemes=["http", "https"],
    message="Enter a web address starting with http:// or https://.",
    code="not_a_web_url",
)
