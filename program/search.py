"""Search over talks (titles, abstracts), speakers (names, affiliations) and organisations.

Every word typed must match, as a word or the start of one. On PostgreSQL the matches come from
full-text search (stemmed, so "moderating" finds "moderation"), ranked: titles and names weigh
more than abstracts and affiliations; GIN indexes of the searched vectors find the matching rows
without computing every row's vector. Elsewhere (SQLite) each word must appear somewhere in the
fields, case-insensitively, and results come in program order.
"""

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout
from django import forms
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db import connection
from django.db.models import Func, IntegerField, Q
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from program.models import Talk
from speakers.models import Affiliation, Speaker

RESULTS_PER_KIND = 50
SNIPPET_WORDS = 30
# ts_headline's marks: control characters no program text holds, so that the text around them
# can be escaped before they become <mark> (ts_headline itself escapes nothing).
START_MARK, STOP_MARK = "\x02", "\x03"
# The light stemmer of SQLite search: "moderating" and "moderation" both become "moderat".
SUFFIXES = ("ations", "ation", "ings", "ions", "ing", "ion", "ers", "ed", "es", "er", "s")


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search talks, speakers and organisations",
        max_length=200,
        # Not `required`: crispy-forms would star the form's only field; clean_q still asks
        # for a word.
        required=False,
        help_text="For example: Kubernetes, Todd Underwood, Netflix.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_action = reverse("program:search")
        self.helper.disable_csrf = True
        self.helper.form_class = "search-form"
        # A plain button: a named submit input would add its name to every search URL.
        self.helper.layout = Layout(
            "q", HTML('<button type="submit" class="btn btn-primary">Search</button>')
        )

    def clean_q(self):
        query = " ".join(self.cleaned_data["q"].split())
        if not words(query):
            raise forms.ValidationError("Type a word to search for.")
        return query


@dataclass
class SearchResults:
    """Matches grouped by kind, each list best first."""

    query: str
    talks: list = field(default_factory=list)
    speakers: list = field(default_factory=list)
    affiliations: list = field(default_factory=list)

    @property
    def count(self):
        return len(self.talks) + len(self.speakers) + len(self.affiliations)


def words(query):
    """The words of a query; punctuation is never query syntax."""
    return re.findall(r"\w+", query)


def stem(word):
    """The word without one common English ending, if at least three letters stay."""
    lowered = word.casefold()
    for suffix in SUFFIXES:
        if lowered.endswith(suffix) and len(lowered) - len(suffix) >= 3:
            return lowered[: -len(suffix)]
    return lowered


def marked(text):
    """ts_headline's output, escaped, with its marks as <mark>."""
    return mark_safe(escape(text).replace(START_MARK, "<mark>").replace(STOP_MARK, "</mark>"))


def snippet(text, query, size=SNIPPET_WORDS):
    """About `size` words of `text` around the first match of a word of `query` (by its stem),
    escaped, every match in it as <mark>; None when nothing matches."""
    stems = [re.escape(stem(word)) for word in words(query)]
    if not stems or not text:
        return None
    pattern = re.compile(r"\w*(?:" + "|".join(stems) + r")\w*", re.IGNORECASE)
    first = pattern.search(text)
    if first is None:
        return None
    before = text[: first.start()].split()
    after = text[first.start() :].split()
    start = max(0, len(before) - size // 3)
    shown = before[start:] + after[: size - (len(before) - start)]
    piece = " ".join(shown)
    html = []
    position = 0
    for match in pattern.finditer(piece):
        html += [escape(piece[position : match.start()]), f"<mark>{escape(match.group())}</mark>"]
        position = match.end()
    html.append(escape(piece[position:]))
    prefix = "… " if start else ""
    suffix = " …" if start + len(shown) < len(before) + len(after) else ""
    return mark_safe(prefix + "".join(html) + suffix)


# The searched text of each kind, written once: the queries below match and rank with these
# full-text vectors, and migration program/0012 indexes them (GIN) on PostgreSQL. PostgreSQL
# uses an expression index only for the very expression it holds, so changing one of them needs
# a new migration that rebuilds its index (tests/program/test_search.py pins their SQL).
TALK_CONFIG = "english"  # stemmed: "moderating" finds "moderation"
NAME_CONFIG = "simple"  # names word by word, unstemmed


def talk_vector():
    """A talk's title (weight A) and abstract (B)."""
    return SearchVector("title", weight="A", config=TALK_CONFIG) + SearchVector(
        "abstract", weight="B", config=TALK_CONFIG
    )


def name_vector(field="name", weight="A"):
    """A person's or an organisation's name (indexed on both tables as `name_vector()`)."""
    return SearchVector(field, weight=weight, config=NAME_CONFIG)


def speaker_vector():
    """A speaker's name (weight A) and their organisation's (B). It spans two tables, so no
    index holds it: `_speaker_candidates` narrows the speakers with the names' indexes first."""
    return name_vector() + name_vector("affiliation__name", weight="B")


def _prefix_query(query, config):
    """Every word of `query`, each as a prefix ("kube" finds Kubernetes, "under" Underwood),
    so partly typed words match as they do on SQLite; only letters and digits reach
    to_tsquery."""
    prefixes = " & ".join(f"{word}:*" for word in words(query))
    return SearchQuery(prefixes, search_type="raw", config=config)


def _speaker_candidates(query):
    """A condition every speaker matching `query` meets, answered from the indexes of
    `name_vector()`: each word is in the speaker's name or in their organisation's.

    That holds for each word that to_tsquery reads as one prefix (nearly every word): the
    speaker's vector, name and organisation together, holds it only if one of the two does. A
    word read otherwise narrows nothing ("underwood_google" is the phrase underwood <-> google,
    which may span the name and the organisation; "___" is no word at all), and the full match
    decides, as it does for every speaker. PostgreSQL tells one from the other (a query of one
    node) once, when it plans the query, so only the plain words' conditions remain."""
    condition = Q()
    for word in words(query):
        word_query = _prefix_query(word, NAME_CONFIG)
        one_prefix = Exact(Func(word_query, function="numnode", output_field=IntegerField()), 1)
        named = Speaker.objects.alias(document=name_vector()).filter(document=word_query)
        organisations = Affiliation.objects.alias(document=name_vector()).filter(
            document=word_query
        )
        condition &= (
            ~Q(one_prefix)
            | Q(pk__in=named.values("pk"))
            | Q(affiliation__in=organisations.values("pk"))
        )
    return condition


def _matching(queryset, query, fields, vector, config):
    """Filter `queryset` to rows matching `query` in `fields`, best first: on PostgreSQL, by
    `vector` (those fields' full-text vector) and text search `config`."""
    if connection.vendor == "postgresql":
        search_query = _prefix_query(query, config)
        headlines = {
            f"headline_{name.replace('__', '_')}": SearchHeadline(
                name,
                search_query,
                config=config,
                start_sel=START_MARK,
                stop_sel=STOP_MARK,
                max_words=SNIPPET_WORDS,
                min_words=SNIPPET_WORDS // 2,
                highlight_all=name in ("title", "name"),
            )
            for name in fields
        }
        return (
            queryset.annotate(document=vector, rank=SearchRank(vector, search_query), **headlines)
            .filter(document=search_query)
            .order_by("-rank", *queryset.query.order_by or queryset.model._meta.ordering)
        )
    # SQLite: each word's stem ("moderat" for "moderating") anywhere in one of the fields.
    return queryset.filter(
        reduce(
            and_,
            (
                reduce(or_, (Q(**{f"{name}__icontains": stem(word)}) for name in fields))
                for word in words(query)
            ),
        )
    )


def why(obj, query, fields):
    """Why `obj` matched: its fields' text with the matches marked, from ts_headline on
    PostgreSQL, else from `snippet`; the first field that holds a match, or None."""
    for name in fields:
        headline = getattr(obj, f"headline_{name.replace('__', '_')}", None)
        if headline is not None:
            if START_MARK in headline:
                return marked(headline)
            continue
        value = obj
        for part in name.split("__"):
            value = getattr(value, part, None) if value is not None else None
        found = snippet(str(value), query) if value else None
        if found:
            return found
    return None


def search(query):
    """Published talks, public speakers and their organisations matching `query`."""
    published = Talk.objects.published()
    talks = _matching(
        published.with_speakers(),
        query,
        ["title", "abstract"],
        talk_vector(),
        TALK_CONFIG,
    )
    speakers = Speaker.objects.presenting(published).select_related("affiliation")
    if connection.vendor == "postgresql":
        speakers = speakers.filter(_speaker_candidates(query))
    speakers = _matching(
        speakers,
        query,
        ["name", "affiliation__name"],
        speaker_vector(),
        NAME_CONFIG,
    )
    affiliations = _matching(
        Affiliation.objects.public(published),
        query,
        ["name"],
        name_vector(),
        NAME_CONFIG,
    )
    talks = list(talks[:RESULTS_PER_KIND])
    for talk in talks:
        talk.snippet = why(talk, query, ["abstract", "title"])
    speakers = list(speakers[:RESULTS_PER_KIND])
    for speaker in speakers:
        speaker.snippet = why(speaker, query, ["name", "affiliation__name"])
    affiliations = list(affiliations[:RESULTS_PER_KIND])
    for affiliation in affiliations:
        affiliation.snippet = why(affiliation, query, ["name"])
    return SearchResults(query=query, talks=talks, speakers=speakers, affiliations=affiliations)
