"""The byline: how the program prints a talk's authors, grouped by organisation.

Plain functions with no database access, so the importer's parser (which checks that it reads
an author line the way the pages will print it back) and the pages share one rule.
"""

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import attrgetter, itemgetter


@dataclass(frozen=True, slots=True)
class Organisation:
    """An organisation as a byline prints and links it."""

    name: str
    slug: str

    def __str__(self):
        return self.name


@dataclass(frozen=True, slots=True)
class Author:
    """One name of a byline as plain values: pages, feeds and exports print thousands, and three
    model instances per name (authorship, speaker, organisation) cost more than the text.
    `Authorship.objects.bylines()` reads them in bulk; `Authorship.author` makes one of a saved
    authorship. `changed_at` (the later of the speaker's and the organisation's last change) is
    set only where a feed dates its events by it."""

    printed_name: str
    speaker_id: int
    speaker_slug: str
    affiliation_id: int | None
    affiliation: Organisation | None
    changed_at: datetime | None = None


def printed_name(credited_name, speaker_name):
    """The name a byline prints: the one credited for that talk ("Mike Arov"), else the
    speaker's own ("Mikhail Arov")."""
    return credited_name or speaker_name


def join_names(names):
    """ "A", "A and B", "A, B, and C" (the program's serial comma)."""
    names = list(names)
    if len(names) <= 2:
        return " and ".join(names)
    return f"{', '.join(names[:-1])}, and {names[-1]}"


def byline_groups(authors, affiliation):
    """The byline's grouping rule: consecutive `authors` that share an organisation (as given by
    the `affiliation` key function) are printed together, [[author, ...], ...]."""
    return [list(group) for _, group in groupby(authors, key=affiliation)]


def format_byline(authors):
    """The byline exactly as the program prints it, from (printed name, organisation name or
    None) pairs in order: "Abdul Dakkak and Cheng Li, University of Illinois at
    Urbana-Champaign; Jinjun Xiong, IBM". The importer checks an author line it read against
    this, so what the pages print is what the file said."""
    parts = []
    for group in byline_groups(authors, affiliation=itemgetter(1)):
        names, affiliation = join_names(name for name, _ in group), group[0][1]
        parts.append(names if affiliation is None else f"{names}, {affiliation}")
    return "; ".join(parts)


def author_groups(authors):
    """Group consecutive Authors that share an organisation: [(organisation, [authors])]."""
    return [
        (group[0].affiliation, group)
        for group in byline_groups(authors, affiliation=attrgetter("affiliation_id"))
    ]


def format_author_line(authorships):
    """The byline of saved authorships or Authors, as the program prints it (see
    `format_byline`)."""
    return format_byline(
        (authorship.printed_name, authorship.affiliation.name if authorship.affiliation else None)
        for authorship in authorships
    )
