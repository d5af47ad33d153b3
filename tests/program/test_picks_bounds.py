"""Picks' request bodies are bounded before they are parsed: size, then depth, then item count,
then the rate limit and a linear de-duplication. No body holds a worker."""

import json
import time
import uuid

import pytest

from program.picks import MAX_BODY_BYTES, MAX_PICKS, PickList, clean_items, json_depth
from tests.program.test_picks import API, browser_client, post  # noqa: F401 -- fixture

pytestmark = pytest.mark.django_db


def timed(call):
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


def test_sixty_thousand_uids_are_refused_at_once(browser_client, settings):  # noqa: F811
    settings.PICKS_CREATE_PER_HOUR = 1
    body = json.dumps({"items": [str(uuid.uuid4()) for _ in range(60_000)]})
    assert len(body) > 2_000_000
    response, seconds = timed(lambda: post(browser_client, API, body))
    assert response.status_code == 413
    assert response.json()["field"] == "body"
    assert seconds < 0.5
    assert PickList.objects.count() == 0
    # Refused before the rate limit: the client's allowance is untouched.
    assert post(browser_client, API, {"items": []}).status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,  # about 200 kB: RecursionError, then 500, before
        '{"items": ' + "[" * 5000 + "]" * 5000 + "}",  # within the size limit
        '{"items": [{"a": {"b": 1}}]}',
    ],
)
def test_nested_json_is_refused_before_it_is_parsed(browser_client, body):  # noqa: F811
    response, seconds = timed(lambda: post(browser_client, API, body))
    assert response.status_code in (400, 413)
    assert response.json()["field"] == "body"
    assert seconds < 0.5


def test_a_body_just_under_the_limit_is_read(browser_client):  # noqa: F811
    uids = [str(uuid.uuid4()) for _ in range(MAX_PICKS)]
    body = json.dumps({"items": uids}, indent=1)
    body = body + " " * (MAX_BODY_BYTES - len(body.encode()))
    assert len(body.encode()) == MAX_BODY_BYTES
    response = post(browser_client, API, body)
    assert response.status_code == 201
    assert response.json()["items"] == uids


def test_the_item_count_is_checked_before_the_items(browser_client):  # noqa: F811
    body = json.dumps({"items": ["not a uid"] * (MAX_PICKS + 1)})
    response = post(browser_client, API, body)
    assert response.status_code == 400
    assert "at most 100" in response.json()["error"]


def test_de_duplication_keeps_the_first_order_in_linear_time():
    uids = [str(uuid.uuid4()) for _ in range(MAX_PICKS)]
    assert clean_items({"items": [*uids, *reversed(uids)][:MAX_PICKS]}) == uids[:MAX_PICKS]
    assert clean_items({"items": [uids[1], uids[0].upper(), uids[1]]}) == [uids[1], uids[0]]


def test_json_depth_ignores_brackets_in_strings():
    assert json_depth('{"items": ["[[[", "\\"{{"]}') == 2
    assert json_depth("[[[]]]") == 3
    assert json_depth('"just a string"') == 0


def test_editing_a_list_is_bounded_alike(browser_client):  # noqa: F811
    created = post(browser_client, API, {"items": []}).json()
    url = f"/picks/lists/{created['feed']}/"
    big = json.dumps({"items": [str(uuid.uuid4()) for _ in range(5_000)]})
    response = post(browser_client, url, big, method="put", edit=created["edit"])
    assert response.status_code == 413
    nested = '{"items": ' + "[" * 5000 + "]" * 5000 + "}"
    response = post(browser_client, url, nested, method="put", edit=created["edit"])
    assert response.status_code == 400
