"""The fleet of deploy/ (HAProxy in front of two gunicorns), on its own PostgreSQL and Redis,
under load and under faults. Marker `fleet`; run once, on PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opml .venv/bin/pytest -m fleet -s

The fleet runs on a private PostgreSQL (initdb into a temporary folder) and a private Redis,
which the tests stop and start; everything listens on loopback, on ports from OPML_FLEET_PORTS
(default 8500-8599). Every load loop is bounded in time. Each fault test prints its figures
(and appends them to artifacts/fleet.jsonl): requests, errors seen by clients, recovery time.
Skipped on SQLite, and where HAProxy, PostgreSQL's server or Redis's is not installed (with
CI=true such a missing tool is a failure instead).
"""

import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import lxml.html
import psycopg2
import pytest
import redis
from django.db import connection

# deploy/ is a folder of scripts, not a package: its fleet.py is imported by path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "deploy"))
from fleet import Fleet, fleet_env

ROOT = Path(__file__).resolve().parent.parent
STAFF = ("committee", "a-long-enough-test-password")
CHECK_INTERVAL = 1.0  # seconds, HAProxy's `inter` for these tests (deploy/haproxy.cfg)
READ_PATHS = [
    "/opml20/",
    "/opml20/sessions/1/",
    "/opml20/sessions/2/",
    "/opml20/calendar.ics",
    "/speakers/",
    "/search/?q=model",
]
PICKS_PER_HOUR = 3
INITDB = ["-U", "postgres", "-A", "trust", "--no-sync"]
REDIS_OPTIONS = ["--save", "", "--appendonly", "no"]

pytestmark = pytest.mark.fleet


def missing_tools():
    tools = {
        "haproxy": shutil.which("haproxy"),
        "redis-server": shutil.which("redis-server"),
        "PostgreSQL's initdb": glob.glob("/usr/lib/postgresql/*/bin/initdb"),
    }
    return [name for name, found in tools.items() if not found]


def skip_or_fail(reason):
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must install it)")
    pytest.skip(reason)


def free_ports(count):
    """Ports nobody listens on, from OPML_FLEET_PORTS ("first-last")."""
    first, last = map(int, os.environ.get("OPML_FLEET_PORTS", "8500-8599").split("-"))

    def free(port):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
            return True

    for start in range(first, last + 2 - count):
        block = range(start, start + count)
        if all(free(port) for port in block):
            return list(block)
    raise RuntimeError(f"no {count} free ports in {first}-{last}")


def report(name, **figures):
    """Print the fault's figures and keep them in artifacts/fleet.jsonl."""
    print(f"\n[fleet] {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))
    folder = ROOT / "artifacts"
    folder.mkdir(exist_ok=True)
    with (folder / "fleet.jsonl").open("a") as output:
        output.write(json.dumps({"test": name, **figures}) + "\n")


class Postgres:
    """A private PostgreSQL in a temporary folder, run as the postgres user when we are root."""

    def __init__(self, port):
        self.port = port
        self.folder = Path(tempfile.mkdtemp(prefix="opml-fleet-pg-"))
        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[-1]).parent
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.folder, "postgres")
        subprocess.run(
            [*self.as_user, self.bin / "initdb", "-D", self.folder / "data", *INITDB],
            check=True,
            capture_output=True,
        )
        self.url = f"postgres://postgres@127.0.0.1:{port}/postgres"

    def ctl(self, action):
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        subprocess.run(
            [
                *self.as_user,
                self.bin / "pg_ctl",
                "-D",
                self.folder / "data",
                "-w",
                "-m",
                "fast",
                "-l",
                self.folder / "server.log",
                "-o",
                options,
                action,
            ],
            check=True,
            capture_output=True,
        )

    def query(self, sql, *args):
        with psycopg2.connect(self.url) as db, db.cursor() as cursor:
            cursor.execute(sql, args)
            return cursor.fetchall()

    def remove(self):
        shutil.rmtree(self.folder, ignore_errors=True)


class Redis:
    def __init__(self, port):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", *REDIS_OPTIONS],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis did not start"
                time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        self.process.wait(10)

    def keys(self):
        return redis.Redis(port=self.port).dbsize()


SETUP = f"""
from django.contrib.auth.models import Group, User
from program.models import Conference
user = User.objects.create_user({STAFF[0]!r}, password={STAFF[1]!r}, is_staff=True)
user.groups.add(Group.objects.get(name="Program committee"))
Conference.objects.create(name="Draft '99", slug="draft99", time_zone="UTC", is_published=False)
"""


@pytest.fixture(scope="module")
def services():
    if connection.vendor != "postgresql":
        pytest.skip("the fleet runs on PostgreSQL: set DATABASE_URL=postgres://… to run it")
    if missing := missing_tools():
        skip_or_fail(f"the fleet needs {', '.join(missing)}")
    pg_port, redis_port, *fleet_ports = free_ports(6)
    postgres, cache = Postgres(pg_port), Redis(redis_port)
    postgres.ctl("start")
    cache.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "PYTEST"))}
    env |= {
        "DATABASE_URL": postgres.url,
        "REDIS_URL": cache.url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "PICKS_CREATE_PER_HOUR": str(PICKS_PER_HOUR),
        "CACHE_RETRY_SECONDS": "1",
        "GUNICORN_WORKERS": "2",
    }
    # Kept between runs: collectstatic is skipped while the sources are unchanged.
    env["STATIC_ROOT"] = str(Path(tempfile.gettempdir()) / "opml-fleet-static")
    env = fleet_env(env)
    fleet = Fleet(
        env,
        servers=2,
        port=fleet_ports[0],
        check_interval=f"{int(CHECK_INTERVAL * 1000)}ms",
        fast_interval="200ms",
    )
    try:
        fleet.prepare()
        fleet.manage("shell", "--no-imports", "-c", SETUP)
        fleet.start()
        yield fleet, postgres, cache
    finally:
        fleet.stop()
        cache.stop()
        postgres.ctl("stop")
        postgres.remove()
        shutil.rmtree(fleet.run_dir, ignore_errors=True)


@pytest.fixture
def fleet(services):
    """The running fleet; after each test, both servers are up again at the balancer."""
    fleet = services[0]
    yield fleet
    for index in range(len(fleet.ports)):
        if index not in fleet.processes:
            fleet.start_server(index)
        deadline = time.monotonic() + 20
        while fleet.server_state(index) != "UP":
            assert time.monotonic() < deadline, "server not back at the balancer"
            time.sleep(0.1)


class Client:
    """Keeps cookies, Secure ones included (this is plain HTTP on loopback). Every request
    carries the balancer's Host, whichever server it is sent to, as behind a real balancer."""

    def __init__(self, fleet):
        self.base = fleet.url
        self.host = urlsplit(fleet.url).netloc
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, base=None):
        parts = urlsplit(base or self.base)
        http = HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = {"Host": self.host, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        http.request(method, path, body=body, headers=headers)
        response = http.getresponse()
        response.body = response.read()
        response.text = response.body.decode("utf-8", "replace")
        http.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path, base=None, headers=None):
        return self.request("GET", path, base=base, headers=headers)

    def post(self, path, fields, base=None, headers=None):
        return self.request(
            "POST",
            path,
            urlencode(fields),
            {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
            base=base,
        )

    def sign_in(self, username, password, base=None, post_base=None):
        page = self.get("/admin/login/", base=base)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
        fields = {"csrfmiddlewaretoken": token, "username": username, "password": password}
        return self.post("/admin/login/", fields | {"next": "/admin/"}, base=post_base or base)


def form_fields(html):
    """The fields a browser would submit with the admin's change form."""
    form = next(f for f in lxml.html.fromstring(html).forms if f.get("id", "").endswith("_form"))
    return list(form.form_values())


def with_values(fields, **changes):
    return [(name, changes.get(name, value)) for name, value in fields]


class Load:
    """`clients` threads reading `paths` through `url` on keep-alive connections until stopped
    (at most `seconds`); every answer is kept as (time, path, status or error)."""

    def __init__(self, url, paths=READ_PATHS, clients=50, seconds=60):
        self.parts = urlsplit(url)
        self.paths = paths
        self.deadline = time.monotonic() + seconds
        self.done = threading.Event()
        self.results = []
        self.threads = [threading.Thread(target=self.read, args=(i,)) for i in range(clients)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        for thread in self.threads:
            thread.join(30)

    def read(self, offset):
        http, index = None, offset
        while not self.done.is_set() and time.monotonic() < self.deadline:
            path = self.paths[index % len(self.paths)]
            index += 1
            try:
                if http is None:
                    http = HTTPConnection(self.parts.hostname, self.parts.port, timeout=15)
                http.request("GET", path, headers={"Accept-Encoding": "gzip"})
                response = http.getresponse()
                response.read()
                outcome = response.status
                if response.getheader("Connection", "").lower() == "close":
                    http.close()
                    http = None
            except OSError as error:
                outcome = type(error).__name__
                http.close()
                http = None
            self.results.append((time.monotonic(), path, outcome))
        if http is not None:
            http.close()

    def failures(self, since=0.0, ok=(200,)):
        return [r for r in self.results if r[0] >= since and r[2] not in ok]

    def latency_free_count(self, since=0.0):
        return len([r for r in self.results if r[0] >= since])


# --- Correct across servers ---------------------------------------------------------------


def test_every_server_answers_a_url_with_the_same_etag_and_body(fleet):
    client = Client(fleet)
    for path in ["/opml20/", "/opml20/sessions/3/", "/opml20/calendar.ics", "/api/conferences/"]:
        answers = [client.get(path, base=fleet.server_url(i)) for i in range(2)]
        answers.append(client.get(path))  # and through the balancer
        assert {a.status for a in answers} == {200}, path
        assert len({a.getheader("ETag") for a in answers}) == 1, path
        assert len({a.body for a in answers}) == 1, path


def test_a_committee_edit_through_one_server_shows_through_every_other(fleet, services):
    postgres = services[1]
    (pk,) = postgres.query("SELECT id FROM program_session ORDER BY id LIMIT 1")[0]
    staff = Client(fleet)
    staff.base = fleet.server_url(0)
    assert staff.sign_in(*STAFF).status == 302
    for i in range(2):  # both servers have the page cached
        assert Client(fleet).get("/opml20/", base=fleet.server_url(i)).status == 200
    edit = f"/admin/program/session/{pk}/change/"
    title = f"Edited through app1 {uuid.uuid4().hex[:6]}"
    saved = staff.post(edit, with_values(form_fields(staff.get(edit).text), title=title))
    assert saved.status == 302, saved.text[:2000]
    # The change log names the request that made the change (its X-Request-ID).
    ((made_by,),) = postgres.query(
        "SELECT request_id FROM program_changelogentry WHERE text LIKE %s", f"%{title}%"
    )
    assert made_by == saved.getheader("X-Request-ID")
    for i in range(2):
        assert title in Client(fleet).get("/opml20/", base=fleet.server_url(i)).text
    # The admin's message, set by app1's save, is shown by app2.
    listing = staff.get(saved.getheader("Location"), base=fleet.server_url(1))
    assert "was changed successfully" in listing.text


def test_sessions_csrf_and_staff_preview_work_whichever_server_answers(fleet):
    staff = Client(fleet)
    # The login form from app1, its CSRF token and cookie checked by app2.
    signed_in = staff.sign_in(*STAFF, base=fleet.server_url(0), post_base=fleet.server_url(1))
    assert signed_in.status == 302
    for i in range(2):
        assert staff.get("/admin/", base=fleet.server_url(i)).status == 200
        preview = staff.get("/draft99/", base=fleet.server_url(i))
        assert preview.status == 200
        assert preview.getheader("Cache-Control") == "private, no-store"
        assert Client(fleet).get("/draft99/", base=fleet.server_url(i)).status == 404


def test_sign_in_throttling_counts_across_servers(fleet):
    username = f"someone-{uuid.uuid4().hex[:6]}"
    statuses = [
        Client(fleet).sign_in(username, "wrong", base=fleet.server_url(i % 2)).status
        for i in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]


def test_picks_creation_limit_counts_across_servers(fleet):
    def create(index, address):
        client = Client(fleet)
        base = fleet.server_url(index % 2)
        token = json.loads(client.get("/picks/lists/", base=base).text)["csrf_token"]
        body = json.dumps({"items": [str(uuid.uuid4())]})
        headers = {
            "Content-Type": "application/json",
            "X-CSRFToken": token,
            "X-Forwarded-For": address,  # as the balancer (one trusted proxy) would send it
        }
        return client.request("POST", "/picks/lists/", body, headers, base=base).status

    address = f"198.51.100.{uuid.uuid4().int % 250 + 1}"
    statuses = [create(i, address) for i in range(PICKS_PER_HOUR + 1)]
    assert statuses == [201] * PICKS_PER_HOUR + [429]
    assert create(0, "203.0.113.77") == 201  # per client, not for everyone


# --- Faults under load --------------------------------------------------------------------


def committee_saves(fleet, postgres, stop, outcomes, saved):
    """Save a session and its first talk together, again and again, through the balancer."""
    staff = Client(fleet)
    assert staff.sign_in(*STAFF).status == 302
    (pk,) = postgres.query("SELECT id FROM program_session ORDER BY id LIMIT 1 OFFSET 1")[0]
    edit = f"/admin/program/session/{pk}/change/"
    fields = form_fields(staff.get(edit).text)
    saved["talk"] = int(dict(fields)["talks-0-id"])
    number = 0
    while not stop.is_set() and number < 200:
        number += 1
        mark = f"save {number}"
        try:
            # The form as it is now: the admin refuses a form saved over a newer save.
            fields = form_fields(staff.get(edit).text)
            answer = staff.post(
                edit,
                with_values(fields, title=f"Session {mark}", **{"talks-0-title": f"Talk {mark}"}),
            ).status
        except OSError as error:
            answer = type(error).__name__
        outcomes.append((number, answer))
    saved["session"] = pk


def test_one_server_killed_while_50_clients_read(fleet, services):
    postgres = services[1]
    stop, outcomes, saved = threading.Event(), [], {}
    saver = threading.Thread(target=committee_saves, args=(fleet, postgres, stop, outcomes, saved))
    with Load(fleet.url, clients=50, seconds=40) as load:
        saver.start()
        deadline = time.monotonic() + 20
        while len(outcomes) < 2:  # the committee is saving
            assert time.monotonic() < deadline
            time.sleep(0.05)
        killed_at = time.monotonic()
        fleet.kill_server(0)
        deadline = time.monotonic() + 15
        while fleet.server_state(0) != "DOWN":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        down_after = time.monotonic() - killed_at
        time.sleep(3)
        stop.set()
        saver.join(30)
    after_check = killed_at + 2 * CHECK_INTERVAL + 0.5
    errors, late_errors = load.failures(), load.failures(since=after_check)
    report(
        "kill -9 one of 2 servers, 50 readers",
        requests=len(load.results),
        errors=len(errors),
        error_kinds=dict(Counter(str(e[2]) for e in errors)),
        errors_after_check_interval=len(late_errors),
        marked_down_after_s=round(down_after, 2),
        saves=len(outcomes),
        save_errors=len([o for o in outcomes if o[1] != 302]),
    )
    assert len(load.results) > 100
    assert late_errors == []
    # The committee's saves: each answered 302 was committed; the session and its talk carry
    # the same save, whichever it was (a save is all or nothing).
    ((session_title, talk_title),) = postgres.query(
        "SELECT s.title, t.title FROM program_session s, program_talk t"
        " WHERE s.id = %s AND t.id = %s",
        saved["session"],
        saved["talk"],
    )
    assert session_title.removeprefix("Session ") == talk_title.removeprefix("Talk ")
    last_ok = max(number for number, answer in outcomes if answer == 302)
    assert int(session_title.rsplit(" ", 1)[1]) >= last_ok


def test_a_rolling_restart_under_load_fails_no_request(fleet):
    with Load(fleet.url, clients=50, seconds=90) as load:
        time.sleep(2)
        started = time.monotonic()
        fleet.rolling_restart()
        took = time.monotonic() - started
        time.sleep(1)
    report(
        "rolling restart of 2 servers, 50 readers",
        requests=len(load.results),
        errors=len(load.failures()),
        restart_s=round(took, 1),
    )
    assert len(load.results) > 100
    assert load.failures() == []


def test_redis_stopped_pages_sign_in_and_picks_keep_working(fleet, services):
    cache = services[2]
    with Load(fleet.url, clients=20, seconds=60) as load:
        time.sleep(2)
        stopped_at = time.monotonic()
        cache.stop()
        try:
            time.sleep(3)
            staff = Client(fleet)
            assert staff.sign_in(*STAFF).status == 302
            token = json.loads(staff.get("/picks/lists/").text)["csrf_token"]
            created = staff.request(
                "POST",
                "/picks/lists/",
                json.dumps({"items": [str(uuid.uuid4())]}),
                {"Content-Type": "application/json", "X-CSRFToken": token},
            )
            assert created.status == 201, created.text
            assert Client(fleet).get("/readyz").status == 503
        finally:
            restarted_at = time.monotonic()
            cache.start()
        deadline = time.monotonic() + 20
        while cache.keys() == 0:
            assert time.monotonic() < deadline, "the cache did not fill again"
            time.sleep(0.1)
        refilled_after = time.monotonic() - restarted_at
        time.sleep(1)
    during = [r for r in load.results if stopped_at <= r[0] < restarted_at]
    report(
        "Redis stopped, 20 readers",
        requests=len(load.results),
        requests_during_outage=len(during),
        errors=len(load.failures()),
        server_errors=len([r for r in load.results if isinstance(r[2], int) and r[2] >= 500]),
        refilled_after_s=round(refilled_after, 2),
    )
    assert len(during) > 10
    assert load.failures() == []
    assert Client(fleet).get("/readyz").status == 200


def test_postgresql_restarted_503_page_or_stale_copy_then_reconnect(fleet, services):
    postgres = services[1]
    reader, staff = Client(fleet), Client(fleet)
    assert staff.sign_in(*STAFF).status == 302
    for _ in range(2):  # cached, on both servers' side of the shared cache
        assert reader.get("/opml20/sessions/4/").status == 200
    with Load(fleet.url, clients=20, seconds=60) as load:
        time.sleep(1)
        postgres.ctl("stop")
        stopped_at = time.monotonic()
        try:
            stale = reader.get("/opml20/sessions/4/")
            unknown = reader.get("/opml20/sessions/6/")  # never read: not in the cache
            admin = staff.get("/admin/")  # the session is in the database
            health = [Client(fleet).get("/healthz", base=fleet.server_url(i)) for i in (0, 1)]
        finally:
            postgres.ctl("start")
            started_at = time.monotonic()
        recovered = None
        while recovered is None and time.monotonic() < started_at + 30:
            probe = reader.get(f"/search/?q={uuid.uuid4().hex}")  # a new search: a miss
            if probe.status == 200:
                recovered = time.monotonic() - started_at
            time.sleep(0.05)
        time.sleep(1)
    outage = [r for r in load.results if stopped_at <= r[0] < started_at]
    report(
        "PostgreSQL restarted, 20 readers",
        outage_s=round(started_at - stopped_at, 1),
        requests_during_outage=len(outage),
        answers_during_outage=sorted({str(r[2]) for r in outage}),
        reconnected_after_s=recovered and round(recovered, 2),
    )
    assert stale.status == 200
    assert stale.getheader("X-Cache") == "stale"
    assert unknown.status == 503
    assert "Back in a moment" in unknown.text
    assert "Traceback" not in unknown.text
    assert admin.status == 503
    assert [h.status for h in health] == [200, 200]  # the balancer keeps both servers
    assert recovered is not None
    late = load.failures(since=started_at + recovered + 1, ok=(200,))
    assert late == []
