"""How long exporting a big site as WXR takes, and how much memory it needs.

    python -m bench.wordpress_export [--posts 5000] [--comments 100000]

Builds the site the way a move would: the generated export of bench/wordpress_import.py imported into a
fresh database (SQLite; or a `<name>_wpbench` PostgreSQL database beside the one DATABASE_URL names), then
runs `manage.py export_wordpress --output …` in a child process and prints its seconds, peak RSS and
the file's size. Not a test: the figures go in the README, measured by hand.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.wordpress_import import ROOT, database_url, timed, write_export

# The peak RSS of children is the largest child's so far (the import's): measure the export from a fresh parent.
ALONE = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


def alone(args: list[str], env: dict) -> tuple[float, int]:
    """(seconds, peak RSS in MB) of a manage.py command, the only child of its own parent."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", ALONE, sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(done.stderr)
    return time.perf_counter() - start, int(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--comments", type=int, default=100_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wpbench-") as temp:
        folder = Path(temp)
        source = folder / "source.xml"
        write_export(source, options.posts, options.comments)
        env = {**os.environ, "MEDIA_ROOT": str(folder / "media"), "DATABASE_URL": database_url(folder)}
        # As in production, and as the import bench runs: DEBUG off (with it on, Django keeps every query's SQL).
        env |= {"DEBUG": "0", "SECRET_KEY": "wordpress-export-bench-only", "LOG_LEVEL": "WARNING"}
        if env["DATABASE_URL"].startswith("postgres"):
            subprocess.run(["createdb", env["DATABASE_URL"].rsplit("/", 1)[1]], check=False, capture_output=True)
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        seconds, cpu, peak, _ = timed(["import_wordpress", str(source), "--create-films"], env)
        print(
            f"site: {options.posts} posts, {options.comments} comments "
            f"(imported in {seconds:.0f} s, {cpu:.0f} s of CPU, {peak} MB)"
        )
        exported = folder / "export.xml"
        seconds, peak = alone(["export_wordpress", "--output", str(exported)], env)
        size = exported.stat().st_size / 1024 / 1024
        print(f"export: {seconds:.1f} s, peak RSS {peak} MB, {size:.0f} MB written")


if __name__ == "__main__":
    main()
