"""Search: talks by title or abstract, speakers by name or organisation, organisations by name,
grouped by kind, on SQLite and (ranked, full-text) on PostgreSQL."""

import pytest
from django.db import connection
from django.urls import reverse

from program.search import search
from tests.factories import AuthorshipFactory, TalkFactory
from tests.program.test_views import page_text

pytestmark = pytest.mark.django_db


def titles(results):
    return [talk.title for talk in results.talks]


def test_finds_talks_by_title_and_abstract(opml20):
    assert "SPOK - Managing ML/Big Data Spark Workloads at scale on Kubernetes" in titles(
        search("Kubernetes")
    )
    assert titles(search("Metaflow")) == ["More Data Science, Less Engineering: A Netflix Original"]


def test_every_word_must_match(opml20):
    assert titles(search("Kubernetes Jupyter")) == [
        "SPOK - Managing ML/Big Data Spark Workloads at scale on Kubernetes"
    ]
    assert titles(search("Kubernetes Metaflow")) == []


def test_partly_typed_words_match(opml20):
    assert "SPOK - Managing ML/Big Data Spark Workloads at scale on Kubernetes" in titles(
        search("kube")
    )
    assert [speaker.name for speaker in search("underw").speakers] == ["Todd Underwood"]


def test_punctuation_is_not_query_syntax(opml20):
    assert titles(search("Metaflow & | ! :* (")) == [
        "More Data Science, Less Engineering: A Netflix Original"
    ]


def test_finds_speakers_by_name_and_organisations_by_name(opml20):
    results = search("Underwood")
    assert [speaker.name for speaker in results.speakers] == ["Todd Underwood"]
    results = search("Netflix")
    assert {"Eugen Cepoi", "Liping Peng", "Savin Goyal"} <= {s.name for s in results.speakers}
    assert [affiliation.name for affiliation in results.affiliations] == ["Netflix"]


def test_drafts_are_not_found(db):
    TalkFactory(title="Quantum draft", is_published=False)
    AuthorshipFactory(talk__is_published=False, speaker__name="Hidden Person")
    assert search("Quantum").count == 0
    assert search("Hidden").count == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking needs PostgreSQL")
def test_postgresql_ranks_title_matches_above_abstract_matches(db):
    TalkFactory(title="Something else", abstract="We mention observability once.")
    TalkFactory(title="Observability in practice", abstract="Nothing more.")
    assert titles(search("observability")) == ["Observability in practice", "Something else"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="stemming needs PostgreSQL")
def test_postgresql_matches_word_forms(opml20):
    assert "Auto Content Moderation in C2C e-Commerce" in titles(search("moderating"))


def test_search_page_groups_results_by_kind(client, opml20):
    response = client.get(reverse("program:search"), {"q": "Intuit"})
    text = page_text(response)
    assert "Talks" in text
    assert "Speakers" in text
    assert "Organisations" in text
    assert text.index("Talks") < text.index("Speakers") < text.index("Organisations")
    assert "Managing ML Models @ Scale - Intuit’s ML Platform" in text
    assert "Mikhail Arov, Intuit" in text
    assert "Intuit Inc." in text


def test_search_page_without_query_shows_the_form_only(client, opml20):
    response = client.get(reverse("program:search"))
    html = response.content.decode()
    assert 'id="id_q"' in html
    text = page_text(response)
    assert "Search talks, speakers and organisations" in text
    assert "result" not in text
    assert "Type a word" not in text


def test_blank_query_gets_a_clear_message(client, opml20):
    text = page_text(client.get(reverse("program:search"), {"q": "   "}))
    assert "Type a word to search for." in text


def test_punctuation_only_gets_a_clear_message(client, opml20):
    text = page_text(client.get(reverse("program:search"), {"q": "&& !"}))
    assert "Type a word to search for." in text


def test_query_is_escaped(client, opml20):
    html = client.get(reverse("program:search"), {"q": "<b>x</b>"}).content.decode()
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_search_page_runs_constant_queries(client, large_program, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):  # +1: the version the public cache checks
        response = client.get(reverse("program:search"), {"q": "Synthetic"})
    assert response.status_code == 200


# What search finds on the OpML '20 program, kind by kind and in order, as it found it before
# PostgreSQL searched through indexes: (talks, speakers, organisations), on PostgreSQL (ranked)
# and on SQLite (program order) where the two differ.
MODEL_SERVING = [
    "Cluster Serving: Distributed Model Inference using Big Data Streaming in Analytics Zoo",
    "FlexServe: Deployment of PyTorch Models as Flexible REST Endpoints",
    "Challenges and Experiences with MLOps for Performance Diagnostics in Hybrid-Cloud "
    "Enterprise Software Deployments",
    "Managing ML Models @ Scale - Intuit’s ML Platform",
    "Detecting Feature Eligibility Illusions in Enterprise AI Autopilots",
    "SPOK - Managing ML/Big Data Spark Workloads at scale on Kubernetes",
    '"SECRETS ARE LIES, SHARING IS CARING, PRIVACY IS THEFT." - A Dive into Privacy Preserving '
    "Machine Learning",
]
NETFLIX_TALKS = [
    "Runway - Model Lifecycle Management at Netflix",
    "More Data Science, Less Engineering: A Netflix Original",
]
LUXEMBOURG = [
    "Jacques Klein",
    "Kevin Allix",
    "Lisa Veiber",
    "Tegawendé F. Bissyandé",
    "Yusuf Arslan",
]
FOUND = {
    "model serving": {
        "postgresql": (MODEL_SERVING, [], []),
        "sqlite": ([MODEL_SERVING[i] for i in (4, 0, 1, 3, 2, 5, 6)], [], []),
    },
    "Netflix": (NETFLIX_TALKS, ["Eugen Cepoi", "Liping Peng", "Savin Goyal"], ["Netflix"]),
    # One word in the name, one in the organisation.
    "Eugen Netflix": ([], ["Eugen Cepoi"], []),
    "Tegawendé": ([], ["Tegawendé F. Bissyandé"], []),
    "Luxembourg": ([], LUXEMBOURG, ["SnT – Univ. of Luxembourg"]),
    # PostgreSQL reads the phrase underwood <-> google, across his name and his organisation.
    "underwood_google": {"postgresql": ([], ["Todd Underwood"], []), "sqlite": ([], [], [])},
    # PostgreSQL reads no word in "___" and drops it; SQLite looks for it.
    "Todd ___": {"postgresql": ([], ["Todd Underwood"], []), "sqlite": ([], [], [])},
}


@pytest.mark.parametrize("query", FOUND)
def test_results_and_their_order_are_pinned(opml20, query):
    expected = FOUND[query]
    if isinstance(expected, dict):
        expected = expected[connection.vendor]
    results = search(query)
    assert (
        titles(results),
        [speaker.name for speaker in results.speakers],
        [affiliation.name for affiliation in results.affiliations],
    ) == expected


SNIPPETS = {
    "postgresql": [
        "<mark>models</mark> for large-scale, real-time distributed inference. While there are "
        "many tools available for relevant tasks (such as <mark>model</mark> optimization, "
        "<mark>serving</mark>",
        "<mark>Netflix</mark>’s model lifecycle management system. There are a plethora of "
        "Machine Learning models that",
    ],
    "sqlite": [
        "SaaS Enterprise workflow companies, such as Salesforce and <mark>Servicenow</mark>, "
        "facilitate AI adoption by making it easy for customers to train AI <mark>models</mark> "
        "on top of workflow data, once they know …",
        "In this talk, we are going to present Runway, <mark>Netflix</mark>’s model lifecycle "
        "management system. There are a plethora of Machine Learning models that drive "
        "<mark>Netflix</mark> personalization and Runway is responsible …",
    ],
}


def test_snippets_are_pinned(opml20):
    model_serving, netflix = SNIPPETS[connection.vendor]
    assert search("model serving").talks[0].snippet == model_serving
    results = search("Netflix")
    assert results.talks[0].snippet == netflix
    assert [speaker.snippet for speaker in results.speakers] == ["<mark>Netflix</mark>"] * 3
    assert results.affiliations[0].snippet == "<mark>Netflix</mark>"
    assert search("Eugen Netflix").speakers[0].snippet == "<mark>Eugen</mark> Cepoi"
