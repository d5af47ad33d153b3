"""gunicorn's configuration for every app server: `make preview`, `make fleet`, the tests and the
systemd unit (deploy/opml-gunicorn.service) all start `gunicorn -c deploy/gunicorn.conf.py`.

Settings come from the environment (deploy/opml.env.example); a command-line flag wins over
this file (`--bind`)."""

import os
import shutil
import tempfile

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
wsgi_app = "opml.wsgi"
# Sync workers: each answers one request at a time, which a load balancer in front (queueing,
# keep-alive with the clients) suits. About 2 per core of the host.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (a restart), requests in flight finish, up to this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
# Trust X-Forwarded-Proto only from the load balancer (its address, comma-separated).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = os.environ.get("GUNICORN_NAME", "opml")

# Logs: one JSON object per line, access lines included (ops/logs.py), on stdout.
accesslog = "-"
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "ops.logs.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        }
    },
    # The root logger is Django's (opml/settings.py: LOGGING), configured in each worker.
    "root": {"level": "INFO", "handlers": []},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
    },
}

# Prometheus metrics of all this server's workers: each writes its own files here, and /metrics
# adds them up (prometheus_client's multiprocess mode). A fresh folder each time the server starts.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="opml-prometheus-")
    _own_metrics_dir = True
else:
    _own_metrics_dir = False


def child_exit(server, worker):
    from prometheus_client import multiprocess  # noqa: PLC0415 -- after the folder is chosen

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
