"""Run the site as a fleet on one machine: N gunicorn app servers behind HAProxy.

    python deploy/fleet.py run [--servers 2] [--addr 127.0.0.1:8000]   (what `make fleet` does)
    python deploy/fleet.py render --bind :80 --server 10.0.0.11:8000 --server 10.0.0.12:8000

`run` migrates the database and loads OpML '20 if it is empty, collects the static files, starts
the app servers with deploy/gunicorn.conf.py and HAProxy with deploy/haproxy.cfg, prints where
everything is, and stops them all on Ctrl-C. `render` prints the HAProxy configuration for
servers elsewhere. tests/test_fleet.py and benchmarks/fleet.py drive the same `Fleet` class.
"""

import argparse
import os
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
HAPROXY_TEMPLATE = DEPLOY / "haproxy.cfg"
GUNICORN_CONFIG = DEPLOY / "gunicorn.conf.py"
# Local services, as `make serve`'s neighbours run them; override with the variables.
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/opml"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def render_haproxy(bind, servers, run_dir, stats_bind, health_host="127.0.0.1", **timing):
    """deploy/haproxy.cfg with its fields filled in; `servers` are "host:port" addresses."""
    lines = "\n".join(f"    server app{i} {address}" for i, address in enumerate(servers, 1))
    fields = {
        "bind": bind,
        "servers": lines,
        "run_dir": run_dir,
        "stats_bind": stats_bind,
        "health_host": health_host,
        "check_interval": timing.get("check_interval", "1s"),
        "fast_interval": timing.get("fast_interval", "250ms"),
    }
    return string.Template(HAPROXY_TEMPLATE.read_text()).substitute(fields)


def wait_until(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not happen within {timeout} s")


def answers(url, timeout=2):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def executable(name):
    """A tool of the venv (gunicorn) beside this Python, else one on PATH."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


class Fleet:
    """N app servers on consecutive ports after the balancer's, HAProxy, its stats page and its
    runtime socket; `env` is every server's environment (the same SECRET_KEY for all)."""

    def __init__(self, env, servers=2, host="127.0.0.1", port=8000, run_dir=None, **timing):
        self.env = env
        self.host = host
        self.port = port
        self.ports = [port + i for i in range(1, servers + 1)]
        self.stats_port = port + servers + 1
        self.run_dir = Path(run_dir or tempfile.mkdtemp(prefix="opml-fleet-"))
        self.timing = timing
        self.processes = {}  # server index → gunicorn Popen
        self.haproxy = None

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    def server_url(self, index):
        return f"http://{self.host}:{self.ports[index]}"

    def manage(self, *args):
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True, timeout=600
        )

    def prepare(self):
        """Migrate, load OpML '20 into an empty database, collect the static files."""
        self.manage("migrate", "--noinput", "--verbosity", "0")
        self.manage("load_reference_program", "--verbosity", "0")
        self.collect_static()

    def collect_static(self):
        """collectstatic into STATIC_ROOT, unless it already holds these sources' files
        (`manage.py static_stamp`, as `make preview` asks): whitenoise compresses every file
        each time, which takes minutes."""
        unchanged = subprocess.run(
            [sys.executable, "manage.py", "static_stamp"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            timeout=600,
        )
        if unchanged.returncode == 0:
            return
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        self.manage("static_stamp", "--write")

    def start(self):
        try:
            for index in range(len(self.ports)):
                self.start_server(index)
            self.start_haproxy()
        except BaseException:
            self.stop()  # what did start
            raise

    def start_server(self, index, wait=True):
        log = (self.run_dir / f"app{index + 1}.log").open("a")
        env = self.env | {"GUNICORN_NAME": f"opml-app{index + 1}"}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        self.processes[index] = subprocess.Popen(
            [executable("gunicorn"), "-c", str(GUNICORN_CONFIG), "--bind", self.address(index)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as one machine would die
        )
        log.close()
        if wait:
            try:
                wait_until(lambda: answers(f"{self.server_url(index)}/healthz"), 60, "app start")
            except RuntimeError:
                tail = (self.run_dir / f"app{index + 1}.log").read_text()[-3000:]
                raise RuntimeError(f"app server {index + 1} did not start:\n{tail}") from None

    def address(self, index):
        return f"{self.host}:{self.ports[index]}"

    def start_haproxy(self):
        config = self.run_dir / "haproxy.cfg"
        config.write_text(
            render_haproxy(
                f"{self.host}:{self.port}",
                [self.address(index) for index in range(len(self.ports))],
                self.run_dir,
                f"{self.host}:{self.stats_port}",
                health_host=self.env.get("ALLOWED_HOSTS", "127.0.0.1").split(",")[0],
                **self.timing,
            )
        )
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        subprocess.run([haproxy, "-c", "-q", "-f", str(config)], check=True)
        log = (self.run_dir / "haproxy.log").open("a")
        self.haproxy = subprocess.Popen(
            [haproxy, "-db", "-f", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_until(lambda: answers(f"{self.url}/healthz"), 30, "HAProxy start")

    def kill_server(self, index):
        """SIGKILL the server's whole process group (master and workers), as a crash would."""
        process = self.processes.pop(index)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_server(self, index):
        """SIGTERM: the server stops accepting, finishes its requests in flight, exits."""
        process = self.processes.pop(index)
        process.terminate()
        process.wait(60)

    def haproxy_command(self, command):
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.run_dir / "haproxy.sock"))
            sock.sendall(command.encode() + b"\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        return answer.decode()

    def server_state(self, index):
        """HAProxy's view of the server: UP, DOWN, DRAIN, MAINT, …"""
        for line in self.haproxy_command("show stat").splitlines():
            fields = line.split(",")
            if fields[:2] == ["app", f"app{index + 1}"]:
                return fields[17]
        return None

    def restart_server(self, index):
        """Drain the server at the balancer, stop it once idle, start it, put it back."""
        self.haproxy_command(f"set server app/app{index + 1} state drain")
        self.stop_server(index)
        self.start_server(index)
        self.haproxy_command(f"set server app/app{index + 1} state ready")
        self.haproxy_command(f"set server app/app{index + 1} health up")
        wait_until(lambda: self.server_state(index) == "UP", 30, "server back up")

    def rolling_restart(self):
        for index in range(len(self.ports)):
            self.restart_server(index)

    def stop(self):
        if self.haproxy is not None:
            self.haproxy.terminate()
            self.haproxy.wait(10)
            self.haproxy = None
        for index in list(self.processes):
            self.stop_server(index)

    def describe(self):
        lines = [
            f"  The site, through HAProxy:  {self.url}/",
            f"  HAProxy's stats page:       http://{self.host}:{self.stats_port}/",
        ]
        lines += [
            f"  App server {i + 1}:               {self.server_url(i)}/  "
            f"(metrics: {self.server_url(i)}/metrics)"
            for i in range(len(self.ports))
        ]
        lines += [
            f"  Database:                   {self.env['DATABASE_URL']}",
            f"  Redis:                      {self.env['REDIS_URL']}",
            f"  Logs and configuration:     {self.run_dir}/",
        ]
        return "\n".join(lines)


def fleet_env(base=None):
    """Every server's environment: production settings over plain http on this machine."""
    env = dict(base if base is not None else os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    env.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.update(DEBUG="false", SECURE_SSL_REDIRECT="false", SECURE_HSTS_SECONDS="0")
    env.setdefault("TRUSTED_PROXY_COUNT", "1")
    env.setdefault("STATIC_ROOT", str(ROOT / "staticfiles"))
    return env


def run(args):
    host, port = args.addr.rsplit(":", 1)
    fleet = Fleet(fleet_env(), servers=args.servers, host=host, port=int(port))
    print(f"Preparing the database ({fleet.env['DATABASE_URL']}) and static files…")
    fleet.prepare()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    try:
        fleet.start()
        print(f"\n{fleet.describe()}\n\n  Ctrl-C stops them all.\n", flush=True)
        while not stop:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping HAProxy and the app servers…")
        fleet.stop()
        print("Stopped.")


def render(args):
    print(
        render_haproxy(
            args.bind, args.server, args.run_dir, args.stats_bind, health_host=args.health_host
        ),
        end="",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True)
    run_parser = commands.add_parser("run", help="start a fleet here (make fleet)")
    run_parser.add_argument("--servers", type=int, default=2)
    run_parser.add_argument("--addr", default="127.0.0.1:8000")
    run_parser.set_defaults(handler=run)
    render_parser = commands.add_parser("render", help="print HAProxy's configuration")
    render_parser.add_argument("--bind", default=":80")
    render_parser.add_argument("--server", action="append", required=True)
    render_parser.add_argument("--run-dir", default="/run/haproxy")
    render_parser.add_argument("--stats-bind", default="127.0.0.1:8404")
    render_parser.add_argument("--health-host", default="127.0.0.1")
    render_parser.set_defaults(handler=render)
    args = parser.parse_args()
    args.handler(args)


if __name__ == "__main__":
    main()
