"""bench/run's engine: build a throwaway site, serve it with gunicorn on 127.0.0.1, drive each page
with wrk for a bounded time, and print requests/s, p50/p99 latency and the ratio to a "hello" view
served by the same gunicorn configuration, with the peak memory of each worker.

Cold: a server with no cache at all (every request renders). Warm: the site's own cache, primed by
one request: every public page. Logged in: the warm server, with an author's session cookie (never
served from the page cache).
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))

# Every public page, warm; the pages rendered per reader also cold (no cache at all) and logged in.
WARM_PAGES = ("review", "home", "film", "person", "author", "genre", "franchise", "archive", "search", "feed")
COLD_PAGES = ("review", "home", "film", "person", "author", "genre")
LOGGED_IN_PAGES = COLD_PAGES  # an author's session: each page rendered for them, never a shared copy

# (page, server, target ratio to hello): the targets of issues 5 and 13.
TARGETS = {
    **{(page, "warm"): 0.90 for page in WARM_PAGES},
    **{(page, mode): 0.50 for page in COLD_PAGES for mode in ("cold", "logged in")},
    ("review", "cold"): 0.25,
    ("review", "logged in"): 0.25,
}


@dataclass
class Result:
    page: str
    mode: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_database(workdir: Path, suffix: str = "_bench") -> str:
    """SQLite in the work folder, or a fresh `<name>_bench` database beside the one DATABASE_URL names."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{workdir / 'db.sqlite3'}"
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'reviewblog'}{suffix}"
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_bench_database(url: str) -> None:
    if url.startswith("postgres"):
        import psycopg

        parts = urlsplit(url)
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}"')


def site_env(workdir: Path, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "BENCH_CACHE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY="bench-only-" + os.urandom(16).hex(),
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(workdir / "media"),
        STATIC_ROOT=str(workdir / "static"),
        SITE_URL="http://127.0.0.1",
        PYTHONPATH=str(ROOT),
    )
    return env


@contextmanager
def gunicorn(env: dict, cache: str):
    port = free_port()
    env = env | ({"BENCH_CACHE": "off"} if cache == "off" else {})
    command = [PYTHON, "-m", "gunicorn", "reviewblog.wsgi", "--workers", str(WORKERS)]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/bench/hello/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")
        yield base, server.pid
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def worker_peak_mib(master: int) -> list[float]:
    """Peak resident memory (VmHWM) of each gunicorn worker, read from /proc."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if int(fields.get("PPid", "0")) == master and "VmHWM" in fields:
            peaks.append(int(fields["VmHWM"].split()[0]) / 1024)
    return sorted(peaks)


def to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def wrk(url: str, page: str, mode: str, headers: list[str] = ()) -> Result:
    # Prime: the first request renders (and, on the warm server, fills the cache) in each worker.
    request = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))
    for _ in range(WORKERS * 4):
        with urllib.request.urlopen(request, timeout=30) as response:
            if response.status != 200:
                raise SystemExit(f"{url} answered {response.status}")
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url]
    for header in headers:
        command += ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, check=True, timeout=SECONDS + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    failed = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(failed.group(1)) if failed else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    result = Result(page, mode, rps, p50, p99, errors)
    print(f"  {page:<9} {mode:<10} {rps:9.0f} req/s   p50 {p50:7.2f} ms   p99 {p99:7.2f} ms", flush=True)
    return result


def after_change(env: dict, base: str, page: str) -> Result:
    """Latency of the first anonymous request after each of 30 approved comments (one reader at a time)."""
    out = subprocess.run(
        [PYTHON, "-m", "bench.after_change", base, "30"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout
    latencies = sorted(json.loads(out.strip().splitlines()[-1]))
    p50, p99 = latencies[len(latencies) // 2], latencies[-1]
    print(f"  {page:<7} 1st after an approved comment: p50 {p50:7.2f} ms   max {p99:7.2f} ms", flush=True)
    return Result(page, "1st after", 0.0, p50, p99, 0)


def report(results: list[Result], memory: dict[str, list[float]]) -> bool:
    """The table: each page against the hello runs either side of it (this machine's speed drifts)."""
    print(
        f"\n{'page':<10}{'server':<11}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'hello/s':>9}{'of hello':>10}{'target':>9}"
    )
    met = True
    for before, r, after in zip(results, results[1:], results[2:], strict=False):
        if r.page == "hello" or before.page != "hello" or after.page != "hello":
            continue
        hello = (before.rps + after.rps) / 2
        ratio = r.rps / hello
        target = TARGETS.get((r.page, r.mode))
        verdict = ""
        if target is not None:
            ok = ratio >= target and not r.errors
            met &= ok
            verdict = f"{target:>8.0%} {'met' if ok else 'MISSED'}"
        errors = f"  ({r.errors} errors)" if r.errors else ""
        print(
            f"{r.page:<10}{r.mode:<11}{r.rps:8.0f}{r.p50_ms:9.2f}{r.p99_ms:9.2f}{hello:9.0f}{ratio:10.0%}{verdict}{errors}"
        )
    for r in results:
        if r.mode == "1st after":  # one reader at a time: a latency, not a throughput
            print(f"\nfirst reader after an approved comment ({r.page}): p50 {r.p50_ms:.1f} ms, max {r.p99_ms:.1f} ms")
    for server, peaks in memory.items():
        print(f"peak memory per worker, {server} server: " + ", ".join(f"{p:.0f} MiB" for p in peaks))
    return met


def main() -> int:
    if not shutil.which("wrk"):
        raise SystemExit("bench/run needs wrk (apt-get install wrk)")
    workdir = Path(tempfile.mkdtemp(prefix="reviewblog-bench-"))
    database_url = bench_database(workdir)
    try:
        env = site_env(workdir, database_url)
        engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
        print(f"Building the bench site on {engine} (200 comments, a film with 50 credits and 30 reviews)…")
        built = subprocess.run(
            [PYTHON, "-m", "bench.data"], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        pages = json.loads(built.stdout.strip().splitlines()[-1])
        print(f"{WORKERS} gunicorn workers, wrk with {CONNECTIONS} connections, {SECONDS} s a run\n")
        results, memory = [], {}
        for mode, cache in (("cold", "off"), ("warm", "on")):
            with gunicorn(env, cache) as (base, master):
                runs = [(page, mode, []) for page in (WARM_PAGES if cache == "on" else COLD_PAGES)]
                if cache == "on":
                    runs += [(page, "logged in", [f"Cookie: {pages['session_cookie']}"]) for page in LOGGED_IN_PAGES]
                results.append(wrk(f"{base}/bench/hello/", "hello", mode))
                for page, label, headers in runs:
                    results.append(wrk(base + pages[page], page, label, headers))
                    results.append(wrk(f"{base}/bench/hello/", "hello", mode))
                if cache == "on":
                    results.append(after_change(env, base, "review"))
                memory[mode] = worker_peak_mib(master)
        met = report(results, memory)
        print("\nAll targets met." if met else "\nSome targets missed (see above); the exit status is 1.")
        return 0 if met else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        drop_bench_database(database_url)


if __name__ == "__main__":
    sys.exit(main())
