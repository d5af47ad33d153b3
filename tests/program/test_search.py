"""Search: talks by title or abstract, speakers by name or organisation, organisations by name,
grouped by kind, on SQLite and (ranked, full-text, through GIN indexes) on PostgreSQL."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from program.search import search
from tests.factories import AuthorshipFactory, TalkFactory
from tests.program.test_views import page_text

pytestmark = pytest.mark.django_db

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="full-text search and its indexes need PostgreSQL"
)


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


# The tables each kind's query reads and the search indexes PostgreSQL must read them through:
# speakers through their names' and their organisations' (the speaker's vector spans both).
SEARCH_INDEXES = {
    "program_talk": {"program_talk_search"},
    "speakers_speaker": {"speakers_speaker_search", "speakers_affiliation_search"},
    "speakers_affiliation": {"speakers_affiliation_search"},
}


@needs_postgresql
def test_postgresql_searches_through_the_indexes(large_program):
    """On 2,000 talks, 3,000 speakers and 200 organisations, each kind's query can use its GIN
    index: the index holds the very vector the query matches."""
    with CaptureQueriesContext(connection) as queries:
        results = search("17")  # talk 17, 170…179, 1700…1799; as many speakers; 11 organisations
    assert (len(results.talks), len(results.speakers), len(results.affiliations)) == (50, 50, 11)
    plans = {}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # this test's transaction only
        for query in queries.captured_queries:
            if "ts_rank" in query["sql"]:
                table = query["sql"].split(" FROM ", 1)[1].split()[0].strip('"')
                cursor.execute("EXPLAIN " + query["sql"])
                plans[table] = "\n".join(row[0] for row in cursor.fetchall())
    assert plans.keys() == SEARCH_INDEXES.keys()
    for table, indexes in SEARCH_INDEXES.items():
        for index in indexes:
            assert f"Bitmap Index Scan on {index}" in plans[table], plans[table]


# Each search index as migration program/0012 creates it today, from program/search.py's vectors.
# If a vector changes, so does this, and PostgreSQL stops using the index that databases migrated
# before hold: add a migration that rebuilds the index, then update this.
TALK_VECTOR_SQL = (
    "(setweight(to_tsvector('english'::regconfig, COALESCE(\"title\", '')), 'A') || "
    "setweight(to_tsvector('english'::regconfig, COALESCE(\"abstract\", '')), 'B'))"
)
NAME_VECTOR_SQL = "setweight(to_tsvector('simple'::regconfig, COALESCE(\"name\", '')), 'A')"
INDEXED = {
    "program_talk_search": ("program_talk", TALK_VECTOR_SQL),
    "speakers_speaker_search": ("speakers_speaker", NAME_VECTOR_SQL),
    "speakers_affiliation_search": ("speakers_affiliation", NAME_VECTOR_SQL),
}


@needs_postgresql
def test_postgresql_index_definitions_are_pinned():
    migration = importlib.import_module("program.migrations.0012_search_indexes")
    with connection.schema_editor(collect_sql=True) as editor:
        created = {
            index.name: str(index.create_sql(model, editor))
            for model, index in migration.indexes(apps)
        }
    assert created == {
        name: f'CREATE INDEX "{name}" ON "{table}" USING gin (({vector})) WITH (fastupdate = off)'
        for name, (table, vector) in INDEXED.items()
    }
