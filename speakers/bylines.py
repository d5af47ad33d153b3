"""The byline: how the program prints a talk's authors, grouped by organisation.

Plain functions with no database access, so the importer's parser (which checks that it reads
an author line the way the pages will print it back) and the pages share one rule.
"""

from itertools import groupby
from operator import attrgetter, itemgetter


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


def author_groups(authorships):
    """Group consecutive authorships that share an affiliation: [(affiliation, [authorships])]."""
    return [
        (group[0].affiliation, group)
        for group in byline_groups(authorships, affiliation=attrgetter("affiliation_id"))
    ]


def format_author_line(authorships):
    """The byline of saved authorships, as the program prints it (see `format_byline`)."""
    return format_byline(
        (authorship.printed_name, authorship.affiliation.name if authorship.affiliation else None)
        for authorship in authorships
    )
