"""bench/load's engine: comments posted concurrently through a real gunicorn while Akismet is ok, slow,
failing or down, and readers timed meanwhile.

It builds a throwaway site (the demo, DEBUG off, collectstatic) on SQLite or on a fresh `<name>_load`
PostgreSQL database, starts tests/akismet_server.py in the chosen mode, gunicorn and the site's task
worker, then runs browsers: posters (each with its own cookies and address, as behind one proxy) read a
review, fetch the form's CSRF token as static/js/comment-form.js does, post real comment forms and
follow the redirect; tab bursts send one comment from K tabs of one browser at the same instant;
readers fetch the review and the home page in a loop. Then it waits for Akismet's verdicts to settle,
reads the database and prints what was accepted, stored, duplicated, failed or left unchecked.
It measures the checkout's default configuration: TASKS_BACKEND is only set with --tasks-backend.

Abuse: `--addresses N` spreads the posters over N networks (half IPv4 /24s, half IPv6 /56s), so no
burst is seen; `--one-network` sends every comment from another address of one IPv6 /56 (a household);
`--rules N` gives the site N word rules first; `--series N` is one browser posting N comments in a row
from one /56, timing each POST: the Nth may cost at most twice the 10th. The rate limit is off unless
`--rate-limit` names one.
"""

import argparse
import html
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode, urljoin

from .measure import bench_database, drop_bench_database, free_port

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
AKISMET_KEY = "test-akismet-key"  # tests/akismet_server.py's GOOD_KEY
REQUEST_TIMEOUT = 30


def poster_email(n: int) -> str:
    return f"poster{n}@load.example"


def options(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--posters", type=int, default=20, help="concurrent posters (default 20)")
    parser.add_argument("--comments", type=int, default=10, help="comments each poster sends (default 10)")
    parser.add_argument("--think", type=float, default=1.0, help="seconds a poster writes between comments (±50%%)")
    parser.add_argument("--akismet", choices=["ok", "slow", "error", "down"], default="slow")
    parser.add_argument("--slow-seconds", type=float, default=6.0, help="how long Akismet takes when slow")
    parser.add_argument("--readers", type=int, default=3, help="reader threads while posting (default 3)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per gunicorn worker, as the README's recipe (1: sync)"
    )
    parser.add_argument("--tabs", type=int, default=0, help="tabs in each duplicate burst (0: no bursts)")
    parser.add_argument("--bursts", type=int, default=3, help="duplicate bursts when --tabs is given")
    parser.add_argument(
        "--worker",
        help="the task worker command (default: run_worker if the site has it, else "
        "db_worker when TASKS_BACKEND=database, else none); 'none' starts none",
    )
    parser.add_argument("--tasks-backend", choices=["immediate", "database"], help="set TASKS_BACKEND for the site")
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed for posting (default 300)")
    parser.add_argument("--settle-timeout", type=float, help="seconds to wait for verdicts (default 60 + slow)")
    parser.add_argument("--p50-target", type=float, default=100, help="reader p50 limit in ms while posting (0: off)")
    parser.add_argument("--addresses", type=int, default=0, help="posters spread over N networks (0: one /24)")
    parser.add_argument("--one-network", action="store_true", help="every comment from another address of one /56")
    parser.add_argument("--rules", type=int, default=0, help="word rules the site has before the run")
    parser.add_argument("--series", type=int, default=0, help="one browser posts N comments in a row, timed")
    parser.add_argument(
        "--rate-limit",
        default="100000/m",
        help="COMMENT_RATE_LIMIT and COMMENT_NETWORK_RATE_LIMIT for the site (default: off, 100000/m)",
    )
    return parser.parse_args(argv)


# --- The processes: each in its own session, all stopped on the way out ---


class Processes:
    def __init__(self, logs: Path):
        self.logs, self.running = logs, {}

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running[name] = (process, log)
        return process

    def tail(self, name: str, lines: int = 15) -> str:
        text = (self.logs / f"{name}.log").read_text(errors="replace").splitlines()
        return "\n".join(f"    {line}" for line in text[-lines:])

    def errors(self) -> dict[str, Counter]:
        """The exceptions each process logged, counted (tracebacks end with `SomeError: message`)."""
        found = {}
        for name in self.running:
            text = (self.logs / f"{name}.log").read_text(errors="replace")
            errors = Counter(m[:120] for m in re.findall(r"^[\w.]*(?:Error|Exception)\b:? .*$", text, re.M))
            if errors:
                found[name] = errors
        return found

    def stop_all(self) -> None:
        for process, _ in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process, log in self.running.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.close()


def manage(env: dict, *args: str, timeout: float = 600) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if done.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def site_json(env: dict, *args: str, module: str = "bench.load_site") -> dict:
    """What `python -m <module> ARGS` prints last, as JSON: the bench's view of the site's database."""
    done = subprocess.run([PYTHON, "-m", module, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise SystemExit(f"{module} {args[0]} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def wait_for_port(port: int, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing answered on 127.0.0.1:{port} within {seconds:.0f} s")


def choose_worker(opts, env: dict) -> list[str] | None:
    name = opts.worker
    if name is None:
        helped = subprocess.run(
            [PYTHON, "manage.py", "help", "run_worker"], cwd=ROOT, env=env, capture_output=True, timeout=120
        )
        if helped.returncode == 0:
            name = "run_worker"
        elif env.get("TASKS_BACKEND") == "database":
            name = "db_worker"
    return None if name in (None, "none") else [PYTHON, "manage.py", *name.split()]


# --- Browsers ---


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 comes back as the answer, to be counted, and is followed by hand


class Tally:
    """Everything the browsers saw, shared between their threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.posts = Counter()  # "accepted", "rejected", "5xx", "no answer"
        self.reasons = Counter()  # why posts were refused
        self.accepted = Counter()  # (email, body) -> 302 answers
        self.pages = Counter()  # other requests: "5xx"
        self.no_answer = Counter()  # what failed without an HTTP answer
        self.reads: list[float] = []  # reader latencies (ms) while posting
        self.post_ms: list[float] = []  # each comment POST's answer (ms), in the order sent
        self.reading = False

    def add(self, counter: str, key, n: int = 1) -> None:
        with self.lock:
            getattr(self, counter)[key] += n


class Browser:
    """One browser: its own cookies and its own address (X-Forwarded-For, as behind one proxy)."""

    def __init__(self, base: str, ip: str, tally: Tally, jar: CookieJar | None = None):
        self.base, self.tally, self.jar = base, tally, jar if jar is not None else CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)
        self.headers = {"X-Forwarded-For": ip, "User-Agent": "Mozilla/5.0 (bench/load)"}

    def tab(self) -> "Browser":
        """Another tab of the same browser: same cookies, same address."""
        return Browser(self.base, self.headers["X-Forwarded-For"], self.tally, self.jar)

    def fetch(self, path: str, data: dict | None = None, referer: str = "") -> tuple[int, str, str]:
        """(status, body, Location); status 0 when no answer came (refused, reset, timed out)."""
        headers = dict(self.headers)
        if data is not None:
            headers.update(Origin=self.base, Referer=self.base + referer)
        body = urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(urljoin(self.base, path), data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
                return response.status, response.read().decode(errors="replace"), ""
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode(errors="replace"), answer.headers.get("Location", "")
        except OSError as error:
            self.tally.add("no_answer", type(error).__name__)
            return 0, "", ""

    def get(self, path: str) -> int:
        status, _, location = self.fetch(path)
        for _ in range(5):  # follow redirects as a browser does
            if status not in (301, 302) or not location:
                break
            status, _, location = self.fetch(location)
        if status >= 500:
            self.tally.add("pages", "5xx")
        return status

    def token(self) -> str:
        status, body, _ = self.fetch("/comments/token/")
        if status != 200:
            self.tally.add("pages", "5xx", int(status >= 500))
            return ""
        return json.loads(body)["token"]

    def post_comment(self, review: str, token: str, fields: dict) -> int:
        data = {"csrfmiddlewaretoken": token, "parent": "", "author_url": "", "homepage": "", **fields}
        started = time.perf_counter()
        status, body, location = self.fetch(f"{review}comments/", data, referer=review)
        with self.tally.lock:
            self.tally.post_ms.append((time.perf_counter() - started) * 1000)
        pair = (fields["author_email"], fields["body"])
        if status == 302:
            self.tally.add("posts", "accepted")
            self.tally.add("accepted", pair)
            self.get(location)  # the browser lands on the comment
        elif status >= 500:
            self.tally.add("posts", "5xx")
        elif status == 0:
            self.tally.add("posts", "no answer")
        else:
            self.tally.add("posts", "rejected")
            self.tally.add("reasons", f"{status}: {refusal(body)}")
        return status


def refusal(page: str) -> str:
    found = re.search(r'class="form-errors".*?</strong>(.*?)</p>', page, re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else "no reason shown"
    return " ".join(text.split())[:90]


ONE_NETWORK = "2001:db8:42:100::/56"


def poster_address(n: int, m: int, opts) -> str:
    """Poster n's address for its comment m: by default all in one /24 (one office behind the proxy)."""
    if opts.one_network:  # the /64s and hosts of one /56 in turn, as a household's devices
        return f"2001:db8:42:1{(n * opts.comments + m) % 256:02x}::{n + 1:x}"
    if opts.addresses:
        k = n % opts.addresses
        return f"10.{4 + k // 250}.{k % 250}.7" if k % 2 == 0 else f"2001:db8:{k:x}::7"
    return f"10.1.{n // 250}.{n % 250 + 1}"


def poster(n: int, opts, site: dict, tag: str, tally: Tally, stop: threading.Event) -> None:
    rng = random.Random(n)
    review = site["reviews"][n % len(site["reviews"])]
    browser = Browser(site["base"], poster_address(n, 0, opts), tally)
    browser.get(review)
    token = browser.token()
    for m in range(opts.comments):
        if stop.wait(opts.think * rng.uniform(0.5, 1.5)):
            return
        fields = {
            "author_name": f"Poster {n}",
            "author_email": poster_email(n),
            "body": f"Comment {m + 1} from poster {n} ({tag}). The fight in the kitchen is the best thing in it.",
        }
        if n % 2:
            fields["remember"] = "on"
        if m % 3 == 0:
            fields["notify_on_approval"] = "on"
        browser.headers["X-Forwarded-For"] = poster_address(n, m, opts)
        browser.post_comment(review, token, fields)


def series(opts, site: dict, tag: str, tally: Tally) -> tuple[float, float, bool]:
    """One browser posting opts.series comments in a row, each from another address of one /56;
    returns (the seconds it took, 0, finished), as drive() does, and leaves each POST's time in tally."""
    browser = Browser(site["base"], poster_address(0, 0, opts), tally)
    review = site["reviews"][0]
    browser.get(review)
    token = browser.token()
    started = time.monotonic()
    for m in range(opts.series):
        if time.monotonic() - started > opts.timeout:
            return time.monotonic() - started, float("nan"), False
        browser.headers["X-Forwarded-For"] = poster_address(0, m, opts)
        fields = {
            "author_name": f"Household member {m % 4}",
            "author_email": f"member{m % 4}@load.example",
            "body": f"Comment {m + 1} of a series ({tag}): what one household thought of the staircase fight.",
        }
        browser.post_comment(review, token, fields)
    return time.monotonic() - started, float("nan"), True


def series_cost(post_ms: list[float], at: int) -> float:
    """The median POST around the at-th (1-based): one slow answer is the machine, ten are the site."""
    window = post_ms[max(0, at - 6) : at + 4]
    return statistics.median(window) if window else float("nan")


def burst(g: int, opts, site: dict, tag: str, tally: Tally, stop: threading.Event) -> None:
    """One reader's comment sent from K tabs at the same instant (a double post across tabs)."""
    if stop.wait(1.0 + g):
        return
    review = site["reviews"][0]
    browser = Browser(site["base"], f"10.2.0.{g + 1}", tally)
    browser.get(review)
    token = browser.token()
    fields = {
        "author_name": f"Tabs {g}",
        "author_email": f"tabs{g}@load.example",
        "body": f"Burst {g} ({tag}): the same words sent from {opts.tabs} tabs at once.",
    }
    barrier = threading.Barrier(opts.tabs, timeout=REQUEST_TIMEOUT)

    def send(tab: Browser) -> None:
        barrier.wait()
        tab.post_comment(review, token, fields)

    tabs = [threading.Thread(target=send, args=(browser.tab(),), daemon=True) for _ in range(opts.tabs)]
    for thread in tabs:
        thread.start()
    for thread in tabs:
        thread.join(REQUEST_TIMEOUT * 3)


def reader(n: int, site: dict, tally: Tally, stop: threading.Event, every: float = 0.2) -> None:
    """A reader arrives every `every` seconds; each wait is timed from when they arrived, so a stalled
    server counts for everyone who came meanwhile, not just the one request that stalled (as wrk2 does)."""
    pages = [site["reviews"][0], "/"]
    browser = Browser(site["base"], f"10.3.0.{n + 1}", tally)
    arrives = time.perf_counter()
    while not stop.is_set():
        for page in pages:
            if stop.wait(max(0.0, arrives - time.perf_counter())):
                return
            browser.get(page)
            if tally.reading:
                with tally.lock:
                    tally.reads.append((time.perf_counter() - arrives) * 1000)
            arrives += every


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def drive(opts, site: dict, tag: str, tally: Tally) -> tuple[float, float, bool]:
    """Readers alone for 3 s (the baseline), then readers with posters and bursts; returns the baseline
    p50, the seconds spent posting and whether posting finished in time."""
    warm = Browser(site["base"], "10.3.1.1", tally)
    for _ in range(opts.workers * 2):  # each worker renders its own first copy of a page
        warm.get(site["reviews"][0]), warm.get("/")
    stop_readers, stop_posting = threading.Event(), threading.Event()
    readers = [
        threading.Thread(target=reader, args=(n, site, tally, stop_readers), daemon=True) for n in range(opts.readers)
    ]
    for thread in readers:
        thread.start()
    tally.reading = True
    time.sleep(3)
    with tally.lock:
        baseline, tally.reads = statistics.median(tally.reads) if tally.reads else float("nan"), []
    posting = [
        threading.Thread(target=poster, args=(n, opts, site, tag, tally, stop_posting), daemon=True)
        for n in range(opts.posters)
    ]
    posting += [
        threading.Thread(target=burst, args=(g, opts, site, tag, tally, stop_posting), daemon=True)
        for g in range(opts.bursts if opts.tabs else 0)
    ]
    started = time.monotonic()
    for thread in posting:
        thread.start()
    deadline = started + opts.timeout
    for thread in posting:
        thread.join(max(0.0, deadline - time.monotonic()))
    finished = not any(thread.is_alive() for thread in posting)
    tally.reading = False
    elapsed = time.monotonic() - started
    stop_posting.set()
    stop_readers.set()
    for thread in readers:
        thread.join(REQUEST_TIMEOUT + 1)
    return baseline, elapsed, finished


def settle(env: dict, tag: str, seconds: float) -> tuple[dict, float]:
    """Poll the database until no comment of the run waits for its first verdict, or time runs out."""
    started = time.monotonic()
    while True:
        counts = site_json(env, "count", tag)
        waited = time.monotonic() - started
        if counts["unchecked"] == 0 or waited >= seconds:
            return counts, waited
        time.sleep(1)


def report(opts, tally: Tally, counts: dict, baseline: float, posting: float, settling: float, finished: bool):
    stored = {(email, body): n for email, body, n in counts["pairs"]}
    accepted = set(tally.accepted)
    lost, unasked = accepted - set(stored), set(stored) - accepted
    bursts = [n for (email, _), n in stored.items() if email.startswith("tabs")]
    p50, p99 = percentile(tally.reads, 0.50), percentile(tally.reads, 0.99)
    fivexx = tally.posts["5xx"] + tally.pages["5xx"]
    left = counts["unchecked"] + counts["error_no_retry"]
    rows = [
        ("posts accepted (302)", tally.posts["accepted"], ""),
        ("  distinct comments accepted", len(accepted), ""),
        ("posts rejected (4xx)", tally.posts["rejected"], ""),
        ("posts without an answer", tally.posts["no answer"], "must be 0"),
        ("5xx answers (posts / pages)", f"{tally.posts['5xx']} / {tally.pages['5xx']}", "must be 0"),
        ("stored rows", counts["stored"], "must equal distinct accepted"),
        ("  accepted but not stored", len(lost), "must be 0"),
        ("  stored but not accepted", len(unasked), "must be 0"),
        ("duplicates (same email+body)", counts["duplicates"], "must be 0"),
        ("  stored per tab burst", " ".join(map(str, bursts)) or "-", "each must be 1"),
        ("left unchecked", left, "must be 0"),
        ("waiting re-check (scheduled)", counts["waiting_recheck"], ""),
        ("verdicts", " ".join(f"{k} {v}" for k, v in sorted(counts["verdict"].items())), ""),
        ("statuses", " ".join(f"{k} {v}" for k, v in sorted(counts["status"].items())), ""),
        ("reader p50 / p99 ms, posting", f"{p50:.0f} / {p99:.0f}", f"p50 under {opts.p50_target:.0f}"),
        (
            "comment POST p50 / p99 ms",
            f"{percentile(tally.post_ms, 0.5):.0f} / {percentile(tally.post_ms, 0.99):.0f}",
            "",
        ),
        ("reader p50 ms before posting", f"{baseline:.0f}", f"{len(tally.reads)} reads while posting"),
        ("elapsed s: posting / settling", f"{posting:.1f} / {settling:.1f}", ""),
    ]
    print()
    for label, value, note in rows:
        print(f"  {label:<31}{value!s:>22}   {note}")
    for reason, n in tally.reasons.most_common():
        print(f"  rejected {n} × {reason}")
    for what, n in tally.no_answer.most_common():
        print(f"  no answer {n} × {what}")
    tenth = last = float("nan")
    if opts.series:
        n = len(tally.post_ms)
        tenth, last = series_cost(tally.post_ms, 10), series_cost(tally.post_ms, n)
        single = tally.post_ms[9] if n >= 10 else float("nan")
        print(f"  POST 10 / POST {n}: {single:.0f} / {tally.post_ms[-1]:.0f} ms;", end=" ")
        print(f"medians of the ten around them: {tenth:.0f} / {last:.0f} ms (at most twice)")
    failures = [
        ("posting did not finish in time", not finished),
        ("stored differs from accepted", bool(lost or unasked)),
        ("duplicates stored", counts["duplicates"] > 0 or any(n != 1 for n in bursts)),
        ("5xx answers", fivexx > 0),
        ("requests without an answer", sum(tally.no_answer.values()) > 0),
        ("comments left unchecked", left > 0),
        ("reader p50 over target", bool(opts.p50_target) and not opts.series and not p50 < opts.p50_target),
        ("the last POSTs of the series cost over twice the 10th", bool(opts.series) and not last <= 2 * tenth),
    ]
    failed = [what for what, bad in failures if bad]
    print("\nFAILED: " + "; ".join(failed) if failed else "\nAll checks passed.")
    return not failed


def main(argv=None) -> int:
    opts = options(argv)
    workdir = Path(tempfile.mkdtemp(prefix="reviewblog-load-"))
    database_url = bench_database(workdir, "_load")
    processes = Processes(workdir)
    try:
        port, akismet_port = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
        env.update(
            DJANGO_SETTINGS_MODULE="reviewblog.settings",
            SECRET_KEY="load-only-" + os.urandom(16).hex(),
            DATABASE_URL=database_url,
            ALLOWED_HOSTS="127.0.0.1",
            SITE_URL=f"http://127.0.0.1:{port}",
            MEDIA_ROOT=str(workdir / "media"),
            STATIC_ROOT=str(workdir / "static"),
            AKISMET_API_KEY=AKISMET_KEY,
            AKISMET_API_URL=f"http://127.0.0.1:{akismet_port}",
            # Off by default, per address and per /56 alike: the limiters are not under test.
            COMMENT_RATE_LIMIT=opts.rate_limit,
            COMMENT_NETWORK_RATE_LIMIT=opts.rate_limit,
            TRUSTED_PROXY_COUNT="1",  # each browser has its own address, as behind one nginx
            PYTHONPATH=str(ROOT),
        )
        if opts.tasks_backend:
            env["TASKS_BACKEND"] = opts.tasks_backend
        engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
        print(f"Building the load site on {engine} (the demo, DEBUG off)…", flush=True)
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo", "--allow-demo-logins", "--no-comments")  # a throwaway site
        manage(env, "collectstatic", "--noinput")
        site = site_json(env, "setup", str(opts.posters), str(opts.rules)) | {"base": f"http://127.0.0.1:{port}"}

        if opts.akismet != "down":  # down: nothing listens on its port
            mode = {"ok": "normal"}.get(opts.akismet, opts.akismet)
            command = [PYTHON, "-m", "tests.akismet_server", "--port", str(akismet_port), "--mode", mode]
            akismet = processes.start("akismet", [*command, "--slow-seconds", str(opts.slow_seconds)], env)
            wait_for_port(akismet_port, akismet, 30)
        command = [
            PYTHON,
            "-m",
            "gunicorn",
            "reviewblog.wsgi",
            "--workers",
            str(opts.workers),
            "--threads",
            str(opts.threads),
        ]
        gunicorn = processes.start("gunicorn", [*command, "--bind", f"127.0.0.1:{port}", "--log-level", "warning"], env)
        wait_for_port(port, gunicorn, 60)
        worker = choose_worker(opts, env)
        if worker:
            processes.start("worker", worker, env)
        backend = env.get("TASKS_BACKEND", "default")
        slow = f" ({opts.slow_seconds:g} s)" if opts.akismet == "slow" else ""
        where = "one /56" if opts.one_network else f"{opts.addresses} networks" if opts.addresses else "one /24"
        what = (
            f"one browser, {opts.series} comments in a row"
            if opts.series
            else f"{opts.posters} posters × {opts.comments} comments (about {opts.think:g} s apart)"
        )
        print(
            f"{what} from {where}, {opts.rules} rules, rate limit {opts.rate_limit}; "
            f"{f'{opts.bursts} bursts of {opts.tabs} tabs, ' if opts.tabs else ''}{opts.readers} readers; "
            f"Akismet {opts.akismet}{slow}; gunicorn {opts.workers} workers × {opts.threads} threads; "
            f"TASKS_BACKEND {backend}; "
            f"worker: {' '.join(worker[2:]) if worker else 'none'}",
            flush=True,
        )
        tag = f"load-{os.urandom(3).hex()}"
        tally = Tally()
        if opts.series:
            posting, baseline, finished = series(opts, site, tag, tally)
        else:
            baseline, posting, finished = drive(opts, site, tag, tally)
        for name, (process, _) in processes.running.items():
            if process.poll() is not None:
                print(f"\n{name} exited early (status {process.returncode}); its log ends:\n{processes.tail(name)}")
        print(f"Posting done in {posting:.1f} s; waiting for Akismet's verdicts to settle…", flush=True)
        limit = opts.settle_timeout
        if limit is None:
            limit = 60 + (opts.slow_seconds if opts.akismet == "slow" else 0)
        counts, settling = settle(env, tag, limit)
        ok = report(opts, tally, counts, baseline, posting, settling, finished)
        for name, errors in processes.errors().items():
            print(f"\nerrors logged by {name}:")
            for error, n in errors.most_common(8):
                print(f"  {n} × {error}")
        return 0 if ok else 1
    finally:
        processes.stop_all()
        shutil.rmtree(workdir, ignore_errors=True)
        drop_bench_database(database_url)


if __name__ == "__main__":
    sys.exit(main())
