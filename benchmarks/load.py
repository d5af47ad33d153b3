"""A bounded load test: many concurrent clients against a running server, for a few seconds.

    .venv/bin/python benchmarks/load.py http://127.0.0.1:8123 /large/ /large/calendar.ics
    .venv/bin/python benchmarks/load.py --clients 50 --seconds 20 --conditional URL PATH...

Each client opens one keep-alive HTTP/1.1 connection (reconnecting when the server closes it)
and requests the paths in turn until the time is up. Prints, per path: requests, throughput,
median and 99th-percentile latency, errors (non-2xx/304 answers, broken connections) and
timeouts. Standard library only (asyncio streams), so it runs anywhere the project does.

To measure a generated program served by gunicorn (2 workers):

    .venv/bin/python manage.py generate_program --slug large --days 10 --sessions-per-day 5 \\
        --talks-per-session 20
    DEBUG=false SECRET_KEY=x ALLOWED_HOSTS=127.0.0.1 .venv/bin/gunicorn -w 2 -b 127.0.0.1:8123 \\
        opml.wsgi
"""

import argparse
import asyncio
import statistics
import time
from collections import defaultdict
from urllib.parse import urlsplit


async def request(reader, writer, host, path, headers):
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode())
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length, chunked, close, etag = 0, False, False, None
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection" and value.lower() == "close":
            close = True
        elif name == "etag":
            etag = value
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    elif length:
        await reader.readexactly(length)
    return status, close, etag


async def client(url, paths, deadline, timeout, results, conditional, offset):
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port or 80
    connection = None
    etags = {}
    index = offset
    while time.monotonic() < deadline:
        path = paths[index % len(paths)]
        index += 1
        headers = {"Accept-Encoding": "gzip"}
        if conditional and path in etags:
            headers["If-None-Match"] = etags[path]
        started = time.monotonic()
        try:
            if connection is None:
                connection = await asyncio.wait_for(
                    asyncio.open_connection(host, port), timeout=timeout
                )
            status, close, etag = await asyncio.wait_for(
                request(*connection, parts.netloc, path, headers), timeout=timeout
            )
        except TimeoutError:
            results[path]["timeouts"] += 1
            connection = await drop(connection)
            continue
        except (OSError, ConnectionError, ValueError, asyncio.IncompleteReadError):
            results[path]["errors"] += 1
            connection = await drop(connection)
            continue
        results[path]["latencies"].append(time.monotonic() - started)
        if status not in (200, 304):
            results[path]["errors"] += 1
        if etag:
            etags[path] = etag
        if close:
            connection = await drop(connection)
    await drop(connection)


async def drop(connection):
    if connection is not None:
        connection[1].close()
    return None


async def run(args):
    results = defaultdict(lambda: {"latencies": [], "errors": 0, "timeouts": 0})
    deadline = time.monotonic() + args.seconds
    await asyncio.gather(
        *(
            client(args.url, args.paths, deadline, args.timeout, results, args.conditional, i)
            for i in range(args.clients)
        )
    )
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8123")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--timeout", type=float, default=10)
    parser.add_argument(
        "--conditional", action="store_true", help="send If-None-Match with the last ETag"
    )
    args = parser.parse_args()
    started = time.monotonic()
    results = asyncio.run(run(args))
    elapsed = time.monotonic() - started
    print(f"{args.clients} clients, {elapsed:.1f} s, {args.url}")
    print(
        f"{'path':<45} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'err':>5} {'t/o':>5}"
    )
    for path in args.paths:
        result = results[path]
        latencies = sorted(result["latencies"])
        p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
        p99 = latencies[int(len(latencies) * 0.99)] * 1000 if latencies else float("nan")
        print(
            f"{path:<45} {len(latencies):>8} {len(latencies) / elapsed:>7.1f} {p50:>8.0f} "
            f"{p99:>8.0f} {result['errors']:>5} {result['timeouts']:>5}"
        )


if __name__ == "__main__":
    main()
