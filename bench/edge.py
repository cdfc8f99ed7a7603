"""`bench/run --edge`: the bench site behind Varnish (reviewblog/edge/default.vcl) on 127.0.0.1.

It starts its own varnishd (free ports, a temporary working folder, stopped at the end), then
- drives the anonymous review page through the edge with wrk, against nginx serving the same bytes
  as a static file (target: 50 %; whitenoise in the same gunicorn too, for scale);
- makes 100 changes (approve a comment, edit a review, rename a film, change a credit), each after the
  pages it shows on were read into the edge, and reads those pages through the edge at once: a page
  without the change is a stale answer (target: none);
- checks that a reader with a session is never served the edge's copy.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from .measure import (
    CONNECTIONS,
    PYTHON,
    ROOT,
    SECONDS,
    bench_database,
    drop_bench_database,
    free_port,
    gunicorn,
    site_env,
    wrk,
)

VCL = ROOT / "reviewblog" / "edge" / "default.vcl"
CHANGES = int(os.environ.get("BENCH_EDGE_CHANGES", "100"))


@contextmanager
def varnish(workdir: Path, port: int, backend_port: int):
    vcl = workdir / "default.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{backend_port}";'))
    command = ["varnishd", "-F", "-j", "none", "-n", str(workdir / "varnish"), "-f", str(vcl)]
    command += ["-a", f"127.0.0.1:{port}", "-T", f"127.0.0.1:{free_port()}", "-s", "malloc,128m"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/hello/", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit("varnishd did not start: " + server.stderr.read().decode()[-2000:]) from None
                time.sleep(0.1)
        else:
            raise SystemExit("varnishd did not answer")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@contextmanager
def nginx(workdir: Path, root: Path, port: int):
    """nginx serving `root` as static files, as a production site serves /static/ and /media/."""
    conf = workdir / "nginx.conf"
    temp = "".join(f"{name}_temp_path {workdir}/nginx-{name};\n" for name in ("client_body", "proxy", "fastcgi"))
    temp += "".join(f"{name}_temp_path {workdir}/nginx-{name};\n" for name in ("uwsgi", "scgi"))
    conf.write_text(
        f"user root; worker_processes 2; daemon off; pid {workdir}/nginx.pid; error_log {workdir}/nginx.log;\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{ access_log off; {temp} server {{ listen 127.0.0.1:{port}; root {root}; }} }}\n"
    )
    server = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(workdir)], start_new_session=True)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/bench-review.html", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("nginx did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


def fetch(url: str, headers: dict | None = None) -> tuple[str, dict]:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as response:
        return response.read().decode(), dict(response.headers)


def is_hit(headers: dict) -> bool:
    return len(headers.get("X-Varnish", "").split()) == 2  # the request's id and the cached object's


def main() -> int:
    if not shutil.which("varnishd") or not shutil.which("nginx"):
        raise SystemExit("bench/run --edge needs varnishd and nginx: apt-get install varnish varnish-modules nginx")
    workdir = Path(tempfile.mkdtemp(prefix="reviewblog-edge-"))
    database_url = bench_database(workdir, "_edge")
    try:
        edge_port = free_port()
        env = site_env(workdir, database_url) | {"EDGE_PURGE_URL": f"http://127.0.0.1:{edge_port}/"}
        print("Building the bench site…")
        built = subprocess.run([PYTHON, "-m", "bench.data"], cwd=ROOT, env=env, capture_output=True, text=True)
        if built.returncode:
            raise SystemExit(built.stderr[-3000:])
        pages = json.loads(built.stdout.strip().splitlines()[-1])
        # The same bytes as a static file: whitenoise finds its files when gunicorn starts.
        with gunicorn(env, "on") as (base, _):
            html = urllib.request.urlopen(base + pages["review"], timeout=30).read()
        static = Path(env["STATIC_ROOT"]) / "bench-review.html"
        static.write_bytes(html)
        with gunicorn(env, "on") as (base, _), varnish(workdir, edge_port, int(base.rsplit(":", 1)[1])) as edge:
            print(f"varnishd and 2 gunicorn workers; wrk with {CONNECTIONS} connections, {SECONDS} s a run\n")
            through_edge = wrk(edge + pages["review"], "review", "edge")
            from_whitenoise = wrk(base + "/static/bench-review.html", "static", "whitenoise")
            with nginx(workdir, static.parent, free_port()) as static_server:
                as_static = wrk(static_server + "/bench-review.html", "static", "nginx")
            ratio = through_edge.rps / as_static.rps

            _, headers = fetch(edge + pages["review"], {"Cookie": pages["session_cookie"]})
            private = not is_hit(headers)
            changed = subprocess.run(
                [PYTHON, "-m", "bench.edge_changes", edge, str(CHANGES)], cwd=ROOT, env=env, capture_output=True
            )
            if changed.returncode:
                raise SystemExit(changed.stderr.decode()[-3000:])
            counts = json.loads(changed.stdout.decode().strip().splitlines()[-1])

        print(f"\nreview page through the edge: {through_edge.rps:.0f} req/s (p50 {through_edge.p50_ms:.2f} ms)")
        print(f"the same bytes from nginx: {as_static.rps:.0f} req/s (p50 {as_static.p50_ms:.2f} ms)")
        print(f"the same bytes from whitenoise: {from_whitenoise.rps:.0f} req/s (p50 {from_whitenoise.p50_ms:.2f} ms)")
        print(f"edge / static file from nginx: {ratio:.0%} (target 50 %)")
        print(
            f"{counts['changes']} changes, {counts['reads']} reads through the edge after them: "
            f"{counts['stale']} stale (target 0); {counts['hits_before']} of the reads before them were edge hits"
        )
        print("a reader with a session: " + ("never served the edge's copy" if private else "SERVED A SHARED COPY"))
        met = ratio >= 0.5 and counts["stale"] == 0 and private and not through_edge.errors
        print("\nAll edge targets met." if met else "\nSome edge targets missed; the exit status is 1.")
        return 0 if met else 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        drop_bench_database(database_url)


if __name__ == "__main__":
    sys.exit(main())
