"""Search over talks (titles, abstracts), speakers (names, affiliations) and organisations.

Every word typed must match, as a word or the start of one. On PostgreSQL the matches come from
full-text search (stemmed, so "moderating" finds "moderation"), ranked: titles and names weigh
more than abstracts and affiliations. Elsewhere (SQLite) each word must appear somewhere in the
fields, case-insensitively, and results come in program order.
"""

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q
from django.urls import reverse

from program.models import Talk
from speakers.models import Affiliation, Speaker

RESULTS_PER_KIND = 50


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search talks, speakers and organisations",
        max_length=200,
        help_text="For example: Kubernetes, Todd Underwood, Netflix.",
        error_messages={"required": "Type a word to search for."},
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


def _matching(queryset, query, fields, config):
    """Filter `queryset` to rows matching `query` over `fields` [(field, weight)], best first."""
    if connection.vendor == "postgresql":
        vector = reduce(
            lambda a, b: a + b,
            (SearchVector(name, weight=weight, config=config) for name, weight in fields),
        )
        # Every word, each as a prefix ("kube" finds Kubernetes, "under" Underwood), so partly
        # typed words match as they do on SQLite; only letters and digits reach to_tsquery.
        prefixes = " & ".join(f"{word}:*" for word in words(query))
        search_query = SearchQuery(prefixes, search_type="raw", config=config)
        return (
            queryset.annotate(document=vector, rank=SearchRank(vector, search_query))
            .filter(document=search_query)
            .order_by("-rank", *queryset.query.order_by or queryset.model._meta.ordering)
        )
    return queryset.filter(
        reduce(
            and_,
            (
                reduce(or_, (Q(**{f"{name}__icontains": word}) for name, _ in fields))
                for word in words(query)
            ),
        )
    )


def search(query):
    """Published talks, public speakers and their organisations matching `query`."""
    published = Talk.objects.published()
    talks = _matching(
        published.with_speakers(),
        query,
        [("title", "A"), ("abstract", "B")],
        "english",
    )
    speakers = _matching(
        Speaker.objects.presenting(published).select_related("affiliation"),
        query,
        [("name", "A"), ("affiliation__name", "B")],
        "simple",
    )
    affiliations = _matching(
        Affiliation.objects.public(published),
        query,
        [("name", "A")],
        "simple",
    )
    return SearchResults(
        query=query,
        talks=list(talks[:RESULTS_PER_KIND]),
        speakers=list(speakers[:RESULTS_PER_KIND]),
        affiliations=list(affiliations[:RESULTS_PER_KIND]),
    )
