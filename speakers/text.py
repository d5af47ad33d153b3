"""Text hygiene for everything typed or imported into the program.

One home for the rule, used by the importer's parser and by the models' form and admin input:
control characters are dropped (RFC 5545 forbids them in calendar text, and they are invisible
on a page), and so are the other characters XML 1.0 forbids (the surrogates, U+FFFE, U+FFFF);
the Unicode line and paragraph separators become plain newlines, so a line number means what an
editor shows; and a one-line field (a title, a name) holds no line break at all.

Text stored some other way (`QuerySet.update`, a shell, a future form) may still hold them, so
every XML and calendar output passes its text through `printable` on the way out (iCal, frab's
schedule.xml, the Atom change log, the sitemap): whatever is stored, they stay well-formed.
"""

import re

from django.db import models

# U+0000–U+001F except tab, line feed and carriage return, U+007F (DEL), and what XML 1.0 forbids
# besides: the surrogates (never valid on their own) and the noncharacters U+FFFE and U+FFFF.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# NEXT LINE, LINE SEPARATOR and PARAGRAPH SEPARATOR.
UNICODE_NEWLINES = re.compile("[\u0085\u2028\u2029]")
# Line breaks, with the blanks around them, in a one-line field.
LINE_BREAKS = re.compile(r"[ \t]*[\r\n][ \t\r\n]*")


def printable(value):
    """`value` without the characters no output may carry (FORBIDDEN_CHARACTERS): for outputs,
    whatever the database holds."""
    return FORBIDDEN_CHARACTERS.sub("", value)


def normalise_text(value):
    """`value` with forbidden characters removed and Unicode line separators turned into
    "\\n"."""
    return printable(UNICODE_NEWLINES.sub("\n", value))


def normalise_line(value):
    """`normalise_text` for a one-line field: each line break (with the blanks around it)
    becomes one space."""
    return LINE_BREAKS.sub(" ", normalise_text(value))


class NormalisedTextMixin:
    """For models: every text field goes through `normalise_text` (a TextField) or
    `normalise_line` (a CharField and its kinds, one line) when the model is validated, so every
    admin form, and anything else that calls `full_clean()`, stores clean text. Put it before
    the model base class."""

    def clean_fields(self, exclude=None):
        for field in self._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)):
                value = getattr(self, field.attname)
                if isinstance(value, str):
                    one_line = isinstance(field, models.CharField)
                    clean = normalise_line if one_line else normalise_text
                    setattr(self, field.attname, clean(value))
        super().clean_fields(exclude=exclude)
