"""Several processes against one database: what a deployment with more than one worker sees.

* Two gunicorn servers share PostgreSQL (and Redis, or each its own in-process cache): after an
  edit is committed, neither serves the old page or feed.
* On a SQLite file, committee saves succeed while a dozen clients poll the feeds.
"""

import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from program.models import Session
from tests import tools
from tests.factories import AuthorshipFactory, SessionFactory

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
# The Redis database the two servers share (TEST_REDIS_URL chooses another).
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_is_up():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=20) as response:
        return response.read().decode()


def start_server(env):
    port = free_port()
    process = subprocess.Popen(
        [str(GUNICORN), "--workers", "1", "--bind", f"127.0.0.1:{port}", "opml.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            get(port, "/search/")
            return process, port
        except OSError:
            if process.poll() is not None:
                with process.stderr:
                    raise RuntimeError(process.stderr.read().decode()) from None
            time.sleep(0.2)
    stop(process)
    raise RuntimeError("gunicorn did not start")


def stop(process):
    process.terminate()
    process.wait(10)
    process.stderr.close()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two servers need a database both can open: the test database on SQLite is in memory",
)
@pytest.mark.cache
@pytest.mark.parametrize("backend", ["in-process", "redis"])
@pytest.mark.django_db(transaction=True)
def test_two_servers_never_serve_an_old_page(backend):
    if backend == "redis":
        tools.require(redis_is_up(), "Redis is not running on 127.0.0.1:6379")
    settings = connection.settings_dict
    env = os.environ | {
        "DATABASE_URL": f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/"
        f"{settings['NAME']}",
        "CONN_MAX_AGE": "0",
        "DEBUG": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    env.pop("REDIS_URL", None)
    if backend == "redis":
        env["REDIS_URL"] = REDIS_URL
    session = SessionFactory(title="The first title")
    AuthorshipFactory(talk__session=session)
    conference = session.conference
    pages = [conference.get_absolute_url(), session.get_absolute_url()]
    feed = conference.get_calendar_url()
    servers = [start_server(env), start_server(env)]
    try:
        for _, port in servers:
            for path in [*pages, feed]:
                assert "The first title" in get(port, path)
                assert "The first title" in get(port, path)  # now from the cache
        for number in range(len(servers)):
            edited = Session.objects.get(pk=session.pk)
            edited.title = f"Edit {number}"
            edited.save()  # committed, with its bookkeeping
            for _, other in servers:
                for path in [*pages, feed]:
                    text = get(other, path)
                    assert f"Edit {number}" in text, (other, path)
                    assert "The first title" not in text
    finally:
        for process, _ in servers:
            stop(process)


SQLITE_SCRIPT = """
import os, sys, threading, time
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test import Client
call_command("migrate", verbosity=0)
call_command("loaddata", "opml20", verbosity=0)
from program.models import Session
stop = threading.Event()
errors, polls, saves = [], [0], []

def poll(index):
    client = Client()
    urls = ["/opml20/calendar.ics", "/opml20/sessions/%d/calendar.ics" % (index % 8 + 1)]
    try:
        while not stop.is_set():
            for url in urls:
                response = client.get(url, HTTP_IF_NONE_MATCH='"x"')
                assert response.status_code == 200, response.status_code
                polls[0] += 1
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()

def save(number):
    try:
        for edit in range(5):
            session = Session.objects.get(number=number)
            session.title = "Edited %d" % edit
            session.save()
            saves.append(number)
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()

pollers = [threading.Thread(target=poll, args=(i,)) for i in range(12)]
for thread in pollers:
    thread.start()
time.sleep(1)
started = time.monotonic()
savers = [threading.Thread(target=save, args=(n,)) for n in (1, 2, 3, 4)]
for thread in savers:
    thread.start()
for thread in savers:
    thread.join()
elapsed = time.monotonic() - started
stop.set()
for thread in pollers:
    thread.join()
print(len(saves), polls[0], round(elapsed, 1), errors)
"""


# Serial: it bounds the wall time of saves made under a dozen polling threads, and a worker
# running other tests beside it on the same cores would be timed too.
@pytest.mark.serial
def test_sqlite_committee_saves_succeed_while_feeds_are_polled(tmp_path):
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'team.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "opml.settings",
        "PYTHONPATH": str(ROOT),
        "ALLOWED_HOSTS": "testserver",
    }
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(SQLITE_SCRIPT)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    saves, polls, elapsed, errors = result.stdout.strip().split(" ", 3)
    assert errors == "[]", errors
    assert int(saves) == 20  # 4 committee members, 5 saves each, none "database is locked"
    assert int(polls) > 0
    assert float(elapsed) < 60
