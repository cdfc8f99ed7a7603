"""bench/cluster's engine: the site on two "hosts" that share no disk, as production beyond one box runs it.

Two gunicorn servers with their own working folders (media, static files, private uploads), two task
workers, one PostgreSQL database, one Redis, one S3 server (moto's, in this process), one SMTP server
(aiosmtpd, in this process) and the Akismet test server (in this process). It drives:

- an author replaces a review's hero image on host A; a reader on host B sees its WebP renditions, made by
  a worker, served from the bucket;
- comments posted on both hosts, each screened by Akismet exactly once;
- the rate limit, shared through Redis, holding across the hosts;
- a moderator approving on host A, and host B's page showing each approved comment at once;
- both workers restarted mid-run (three times each): one digest, one purge, every email once;
- a mail server that refuses everything for the first minute: every email delivered after it, once.

It prints each figure and exits 1 on any loss, duplicate, stale page or file missing on a host.
"""

import argparse
import io
import json
import math
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode, urljoin

from . import load
from .load import PYTHON, ROOT, Browser, Processes, Tally, manage, wait_for_port
from .measure import bench_database, drop_bench_database, free_port

HOSTS = ("A", "B")
FORM = "application/x-www-form-urlencoded"


def options(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument("--posters", type=int, default=12, help="readers posting comments (default 12)")
    parser.add_argument("--comments", type=int, default=3, help="comments each poster sends (default 3)")
    parser.add_argument("--refuse-seconds", type=float, default=60, help="the mail server refuses this long (60)")
    parser.add_argument("--restarts", type=int, default=3, help="times each worker is restarted mid-run (3)")
    parser.add_argument("--rate-limit", type=int, default=5, help="comments a minute per address (5)")
    parser.add_argument("--timeout", type=float, default=420, help="seconds allowed for everything to settle")
    return parser.parse_args(argv)


# --- The servers in this process ---


class MailServer:
    """aiosmtpd on 127.0.0.1, refusing every message (451) until `refuse_seconds` after the run starts
    (`run_starts`), then keeping each one."""

    def __init__(self, refuse_seconds: float):
        from aiosmtpd.controller import Controller

        self.refuse_seconds = refuse_seconds
        # Counted from the run's start, not from here: building the site can outlast the refusal, and
        # then the first emails would meet a server that takes everything.
        self.refuse_until = math.inf
        self.received: list = []
        self.refused = 0
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        from email import message_from_bytes

        with self.lock:
            if time.monotonic() < self.refuse_until:
                self.refused += 1
                return "451 4.3.0 Try again later"
            for to in envelope.rcpt_tos:
                self.received.append((to, message_from_bytes(envelope.content)))
        return "250 OK"

    def start(self):
        self.controller.start()

    def run_starts(self):
        self.refuse_until = time.monotonic() + self.refuse_seconds

    def stop(self):
        self.controller.stop()


def start_s3(env: dict):
    """moto's S3 server with the media bucket (anyone may read it) and the private one, as README's recipe."""
    from tests.s3_server import MEDIA_BUCKET, PRIVATE_BUCKET, REGION, S3Server

    server = S3Server().start()
    server.empty_buckets()
    env.update(
        AWS_STORAGE_BUCKET_NAME=MEDIA_BUCKET,
        AWS_PRIVATE_BUCKET_NAME=PRIVATE_BUCKET,
        AWS_S3_ENDPOINT_URL=server.url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_S3_REGION_NAME=REGION,
    )
    return server


# --- Browsers on the hosts ---


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    """A form as a browser encodes it with a file input (multipart/form-data)."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content, kind) in files.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {kind}\r\n\r\n".encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


class Staff(Browser):
    """A logged-in member of staff on one host."""

    def login(self, username: str, password: str) -> None:
        _, page, _ = self.fetch("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = {"csrfmiddlewaretoken": token, "next": "/admin/", "username": username, "password": password}
        status, _, _ = self.fetch("/admin/login/", data, referer="/admin/login/")
        if status != 302:
            raise SystemExit(f"{username} could not log in on {self.base} (HTTP {status})")

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def send(self, path: str, body: bytes, kind: str) -> tuple[int, str]:
        headers = dict(self.headers, Origin=self.base, Referer=self.base + path)
        headers["Content-Type"] = kind
        request = urllib.request.Request(urljoin(self.base, path), data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode(errors="replace")


def hero_jpeg() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1800, 1000), (30, 40, 60))
    draw = ImageDraw.Draw(image)
    for x in range(0, 1800, 60):
        draw.line([(x, 0), (1800 - x, 1000)], fill=(200, 120 + x % 100, 40), width=9)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def replace_hero(author: Staff, review_pk: int) -> int:
    from tests.browser_form import browser_form

    path = f"/admin/reviews/review/{review_pk}/change/"
    status, page, _ = author.fetch(path)
    if status != 200:
        raise SystemExit(f"the author could not open the review's change page (HTTP {status})")
    data = browser_form(page)
    data["hero_alt"] = "A stairwell lit in orange, two shadows mid-fight on the landing."
    body, kind = multipart(data, {"hero_image": ("stairwell.jpg", hero_jpeg(), "image/jpeg")})
    status, answer = author.send(path, body, kind)
    return status


def image_urls(page: str) -> list[str]:
    """Every image address a browser could load from a page: src and each srcset candidate."""
    urls = re.findall(r'<img[^>]+src="([^"]+)"', page)
    for srcset in re.findall(r'srcset="([^"]+)"', page):
        urls += [part.strip().split(" ")[0] for part in srcset.split(",") if part.strip()]
    # Readers' pictures are drawn into the page (data: URLs): no file to miss.
    return sorted({url.replace("&amp;", "&") for url in urls if not url.startswith("data:")})


def fetch_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as answer:
        return answer.code
    except OSError:
        return 0


# --- The run ---


def site_json(env: dict, *args: str) -> dict:
    return load.site_json(env, *args, module="bench.cluster_site")


def host_env(env: dict, workdir: Path, host: str) -> dict:
    home = workdir / f"host-{host}"
    return dict(
        env,
        MEDIA_ROOT=str(home / "media"),
        STATIC_ROOT=str(home / "static"),
        PRIVATE_ROOT=str(home / "private"),
    )


def local_files(workdir: Path) -> list[str]:
    """Files a host wrote to its own disk under media or private uploads (none should be there)."""
    found = []
    for host in HOSTS:
        for folder in ("media", "private"):
            root = workdir / f"host-{host}" / folder
            found += [str(p.relative_to(workdir)) for p in root.rglob("*") if p.is_file()] if root.exists() else []
    return found


class Workers:
    """The two task workers, each started again `restarts` times while the run goes on."""

    def __init__(self, processes: Processes, envs: dict):
        self.processes, self.envs, self.generation = processes, envs, Counter()

    def start(self, host: str) -> None:
        self.generation[host] += 1
        name = f"worker-{host}-{self.generation[host]}"
        self.processes.start(name, [PYTHON, "manage.py", "run_worker", "--no-reload"], self.envs[host])

    def restart(self, host: str) -> None:
        name = f"worker-{host}-{self.generation[host]}"
        process, _ = self.processes.running[name]
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        self.start(host)

    def restart_every(self, seconds: float, times: int, stop: threading.Event) -> None:
        for _ in range(times):
            for host in HOSTS:
                if stop.wait(seconds / 2):
                    return
                self.restart(host)


def post_comments(opts, site: dict, bases: dict, tag: str, tally: Tally) -> list[dict]:
    """Posters on both hosts in turn, each from its own /24; some ask for replies or a notice."""
    sent = []

    def poster(n: int) -> None:
        host = HOSTS[n % 2]
        review = site["reviews"][n % len(site["reviews"])]
        browser = Browser(bases[host], f"10.{20 + n}.0.9", tally)
        browser.get(review)
        token = browser.token()
        for m in range(opts.comments):
            time.sleep(1.2)  # a person writes before sending
            browser.base = bases[HOSTS[(n + m) % 2]]  # the load balancer sends each request anywhere
            fields = {
                "author_name": f"Cluster reader {n}",
                "author_email": f"reader{n}@cluster.example",
                "body": f"Comment {m + 1} from reader {n} ({tag}): the rooftop chase earns its length.",
            }
            if m == 0:
                fields["follow_replies"] = "on"
            if m == 1:
                fields["notify_on_approval"] = "on"
            status = browser.post_comment(review, token, fields)
            with tally.lock:
                sent.append({"fields": fields, "status": status, "review": review})

    threads = [threading.Thread(target=poster, args=(n,)) for n in range(opts.posters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return sent


def rate_limit_run(opts, site: dict, bases: dict, tag: str, tally: Tally) -> Counter:
    """One address posting twice its limit, its requests shared between the hosts: the limit holds."""
    answers = Counter()
    browser = Browser(bases["A"], "10.99.0.7", tally)
    review = site["reviews"][-1]
    browser.get(review)
    token = browser.token()
    for m in range(opts.rate_limit * 2):
        browser.base = bases[HOSTS[m % 2]]
        fields = {
            "author_name": "Eager reader",
            "author_email": "eager@cluster.example",
            "body": f"Eager comment {m + 1} ({tag}-limit): one more thought about the score.",
        }
        answers[browser.post_comment(review, token, fields)] += 1
    return answers


def approve_all(moderator: Staff, ids: list[int]) -> int:
    """The moderator selects every waiting comment of the run in the admin list and approves them."""
    from tests.browser_form import browser_form

    status, page, _ = moderator.fetch("/admin/comments/comment/?status__exact=pending")
    data = browser_form(page, submit="index")
    data.update(action="approve_selected", _selected_action=[str(i) for i in ids], select_across="0")
    body = urlencode(data, doseq=True).encode()
    status, _ = moderator.send("/admin/comments/comment/?status__exact=pending", body, FORM)
    return status


def wait_for(predicate, seconds: float, every: float = 1.0):
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def main(argv=None) -> int:  # noqa: C901 (one scenario, read top to bottom)
    opts = options(argv)
    os.environ.setdefault("DATABASE_URL", "postgres://root@127.0.0.1:5432/reviewblog")
    workdir = Path(tempfile.mkdtemp(prefix="reviewblog-cluster-"))
    database_url = bench_database(workdir, "_cluster")
    processes = Processes(workdir)
    mail = MailServer(opts.refuse_seconds)
    s3 = None
    failures: list[str] = []
    try:
        from tests.akismet_server import AkismetServer

        akismet = AkismetServer()
        akismet.start()
        mail.start()
        ports = {host: free_port() for host in HOSTS}
        bases = {host: f"http://127.0.0.1:{port}" for host, port in ports.items()}
        env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
        env.update(
            DJANGO_SETTINGS_MODULE="reviewblog.settings",
            SECRET_KEY="cluster-only-" + os.urandom(16).hex(),
            DATABASE_URL=database_url,
            REDIS_URL="redis://127.0.0.1:6379/7",
            ALLOWED_HOSTS="127.0.0.1",
            SITE_URL=bases["A"],
            AKISMET_API_KEY="test-akismet-key",
            AKISMET_API_URL=akismet.url,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(mail.controller.port),
            EMAIL_TIMEOUT="5",
            COMMENT_RATE_LIMIT=f"{opts.rate_limit}/m",
            COMMENT_NETWORK_RATE_LIMIT="1000/m",
            COMMENT_CHORES_SECONDS="2",
            TRUSTED_PROXY_COUNT="1",
            PYTHONPATH=str(ROOT),
        )
        s3 = start_s3(env)
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        envs = {host: host_env(env, workdir, host) for host in HOSTS}
        print("Building the cluster's site on PostgreSQL, media in S3 (the demo, DEBUG off)…", flush=True)
        manage(envs["A"], "migrate", "--noinput")
        manage(envs["A"], "load_demo", "--allow-demo-logins", "--no-comments")
        for host in HOSTS:
            manage(envs[host], "collectstatic", "--noinput")
        site = site_json(envs["A"], "setup")
        for host in HOSTS:
            command = [PYTHON, "-m", "gunicorn", "reviewblog.wsgi", "--workers", "2", "--threads", "4"]
            server = processes.start(
                f"gunicorn-{host}",
                [*command, "--bind", f"127.0.0.1:{ports[host]}", "--log-level", "warning"],
                envs[host],
            )
            wait_for_port(ports[host], server, 60)
        workers = Workers(processes, envs)
        mail.run_starts()  # the workers send the email, the digest among the first
        for host in HOSTS:
            workers.start(host)
        tag = f"cluster-{os.urandom(3).hex()}"
        tally = Tally()
        started = time.monotonic()
        stop = threading.Event()
        restarts = threading.Thread(target=workers.restart_every, args=(20, opts.restarts, stop), daemon=True)
        restarts.start()

        # 1. An author replaces a hero on A; a reader on B sees its renditions from the bucket.
        author = Staff(bases["A"], "10.50.0.1", tally)
        author.login("ava", "ava-writes-reviews")
        saved = replace_hero(author, site["hero"]["pk"])
        reader_b = Browser(bases["B"], "10.60.0.1", tally)

        def hero_on_b():
            _, page, _ = reader_b.fetch(site["hero"]["url"])
            return [url for url in image_urls(page) if "stairwell" in url and url.endswith(".webp")]

        hero_seen = wait_for(hero_on_b, 90)
        hero_after = time.monotonic() - started
        hero_missing = [url for url in hero_seen if fetch_status(url) != 200]

        # 2. Comments on both hosts; the rate limit across them.
        sent = post_comments(opts, site, bases, tag, tally)
        limited = rate_limit_run(opts, site, bases, tag, tally)

        # 3. Every comment screened; the moderator approves on A; B shows each at once.
        def all_checked():
            found = site_json(env, "count", tag)
            return found if found["unchecked"] == 0 else None

        counts = wait_for(all_checked, 120, 2) or site_json(env, "count", tag)
        moderator = Staff(bases["A"], "10.50.0.2", tally)
        moderator.login("milo", "milo-moderates")
        approved_status = approve_all(moderator, counts["pending_ids"]) if counts["pending_ids"] else 302
        counts = site_json(env, "count", tag)
        stale = 0
        for review, bodies in counts["approved_bodies"].items():
            _, page, _ = Browser(bases["B"], "10.60.0.2", tally).fetch(review)
            stale += sum(1 for body in bodies if body not in page.replace("&#x27;", "'"))

        # 4. Workers restarted meanwhile; every email delivered once the mail server takes them.
        restarts.join()
        stop.set()

        def outbox_settled():
            found = site_json(env, "count", tag)
            return found if found["outbox"] and set(found["outbox"]) <= {"sent", "failed"} else None

        counts = wait_for(outbox_settled, max(30, opts.timeout - (time.monotonic() - started)), 3) or site_json(
            env, "count", tag
        )
        images = []
        for host in HOSTS:
            for path in ["/", *site["reviews"]]:
                _, page, _ = Browser(bases[host], "10.60.0.3", tally).fetch(path)
                images += [(host, url) for url in image_urls(page)]
        missing_images = [(host, url) for host, url in images if fetch_status(urljoin(bases[host], url)) != 200]
        bucket = env["AWS_STORAGE_BUCKET_NAME"]
        off_bucket = [(h, url) for h, url in images if "/static/" not in url and bucket not in url]
        on_disk = local_files(workdir)

        accepted = [s for s in sent if s["status"] == 302]
        # Each email keeps its Message-ID across tries: a second copy of one is a duplicate.
        delivered = Counter((to, message["Message-ID"]) for to, message in mail.received)
        duplicated = sum(n - 1 for n in delivered.values())
        digests = [m for to, m in mail.received if "awaiting moderation" in m["Subject"] and to == site["moderator"]]
        sent_rows = counts["outbox"].get("sent", 0)
        # What readers and the moderator asked for: a confirmation of each "email me replies", a notice of
        # each comment published that asked for one (all are approved), and the day's digest.
        expected = sum(("follow_replies" in s["fields"]) + ("notify_on_approval" in s["fields"]) for s in accepted) + 1
        stored = {tuple(p) for p in counts["pairs"] if "-limit" not in p[1]}
        lost = [s for s in accepted if (s["fields"]["author_email"], s["fields"]["body"]) not in stored]
        figures = [
            ("hero saved on A (HTTP)", saved, "302"),
            ("hero's WebP renditions seen on B after (s)", f"{hero_after:.1f}" if hero_seen else "never", ""),
            ("  rendition files missing from the bucket", len(hero_missing), "must be 0"),
            ("comments accepted / stored", f"{len(accepted)} / {len(stored)}", "equal"),
            ("  accepted but lost", len(lost), "must be 0"),
            ("  checked by Akismet more than once", counts["checked_more_than_once"], "must be 0"),
            ("  left unchecked", counts["unchecked"], "must be 0"),
            ("one address, both hosts: accepted / refused", f"{limited[302]} / {limited[429]}", f"{opts.rate_limit}"),
            ("approval on A (HTTP)", approved_status, "302"),
            ("approved comments missing on B's pages", stale, "must be 0 (stale)"),
            ("worker restarts", sum(workers.generation.values()) - len(HOSTS), f"{opts.restarts * 2}"),
            ("daily chores run today", json.dumps(counts["chores_today"], sort_keys=True), "each once"),
            ("digests received by the moderator", len(digests), "must be 1"),
            ("mail refused while the server refused", mail.refused, "must be > 0"),
            ("outbox", json.dumps(counts["outbox"], sort_keys=True), "all sent"),
            (
                "emails asked for / sent by the outbox / received / duplicated",
                f"{expected} / {sent_rows} / {len(delivered)} / {duplicated}",
                "equal, 0",
            ),
            ("images on both hosts' pages / missing", f"{len(images)} / {len(missing_images)}", "must be 0"),
            ("  images not served from the bucket", len(off_bucket), "must be 0"),
            ("files on a host's own disk (media, private)", len(on_disk), "must be 0"),
            ("5xx answers", tally.posts["5xx"] + tally.pages["5xx"], "must be 0"),
            ("seconds in all", f"{time.monotonic() - started:.0f}", ""),
        ]
        print()
        for label, value, note in figures:
            print(f"  {label:<46}{value!s:>20}   {note}")
        checks = [
            ("the hero was not saved", saved != 302),
            ("host B never showed the hero's renditions", not hero_seen),
            ("rendition files missing from the bucket", bool(hero_missing)),
            ("comments lost", bool(lost) or len(stored) != len(accepted)),
            ("a comment checked twice", counts["checked_more_than_once"] > 0),
            ("comments left unchecked", counts["unchecked"] > 0),
            ("the rate limit did not hold across hosts", limited[302] != opts.rate_limit),
            ("the approval failed", approved_status != 302),
            ("stale pages on B", stale > 0),
            ("a daily chore ran more than once", any(n != 1 for n in counts["chores_today"].values())),
            ("not exactly one digest", len(digests) != 1),
            ("the mail server refused nothing", not mail.refused),
            ("emails not all sent", set(counts["outbox"]) != {"sent"}),
            ("an email delivered twice", duplicated > 0),
            ("an email the outbox sent never arrived", len(delivered) != sent_rows),
            ("an email asked for was never sent", sent_rows != expected),
            ("images missing", bool(missing_images) or bool(off_bucket)),
            ("files on a host's own disk", bool(on_disk)),
            ("5xx answers", tally.posts["5xx"] + tally.pages["5xx"] > 0),
        ]
        failures = [what for what, bad in checks if bad]
        for name, errors in processes.errors().items():
            print(f"\nerrors logged by {name}:")
            for error, n in errors.most_common(6):
                print(f"  {n} × {error}")
        for host, url in (missing_images + off_bucket)[:5]:
            print(f"  image missing or off the bucket on host {host}: {url}")
        print("\nFAILED: " + "; ".join(failures) if failures else "\nAll checks passed.")
        return 1 if failures else 0
    finally:
        processes.stop_all()
        mail.stop()
        if s3 is not None:
            s3.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        drop_bench_database(database_url)


if __name__ == "__main__":
    sys.exit(main())
