"""Log records as one JSON object per line, for Django's loggers and gunicorn's alike."""

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has: anything else was passed with `extra=` and is kept.
STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        data = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            data.update(access_fields(record.args))
        for key, value in vars(record).items():
            if key not in STANDARD and key not in data and not key.startswith("_"):
                data[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def access_fields(atoms):
    """The fields of one gunicorn access line (its "atoms"), the request id among them: the
    access log is written outside Django, so the id is read from the response's header."""
    return {
        "message": atoms.get("r", ""),
        "request_id": atoms.get("{x-request-id}o", "") or atoms.get("{x-request-id}i", ""),
        "method": atoms.get("m", ""),
        "path": atoms.get("U", ""),
        "status": atoms.get("s", ""),
        "bytes": atoms.get("B", ""),
        "duration_ms": round(int(atoms.get("D", 0) or 0) / 1000, 1),
        "remote_addr": atoms.get("h", ""),
    }
