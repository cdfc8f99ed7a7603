"""reviewblog/edge/default.vcl in a real Varnish: `bench/run --edge`, shortened, in front of gunicorn.

It needs Debian's varnish, varnish-modules (xkey), wrk and nginx (the static-file yardstick): skipped on
a machine without them, required in CI (REQUIRE_EDGE, set by .ci/run, which installs them)."""

import os
import shutil
import subprocess
import sys
from glob import glob
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def require_edge():
    missing = [name for name in ("varnishd", "wrk", "nginx") if not shutil.which(name)]
    if not glob("/usr/lib/*/varnish/vmods/libvmod_xkey.so"):
        missing.append("varnish-modules (xkey)")
    if missing:
        if os.environ.get("REQUIRE_EDGE"):
            pytest.fail(f"{', '.join(missing)} required here but missing")
        packages = "varnish varnish-modules wrk nginx-light"
        pytest.skip(f"{', '.join(missing)} not installed (apt-get install {packages}); CI runs this")


def test_the_edge_serves_anonymous_readers_and_is_never_stale_after_a_change():
    require_edge()
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env |= {"BENCH_SECONDS": "1", "BENCH_EDGE_CHANGES": "12"}
    command = [sys.executable, "-m", "bench.edge"]
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    # Its speed targets are bench/run's to judge on a quiet machine; here: it ran, and nothing was stale.
    assert "a reader with a session" in run.stdout, run.stdout + run.stderr
    # Two of each kind of change (bench/edge_changes.py), each read on every page showing it.
    assert "12 changes, 38 reads through the edge after them: 0 stale" in run.stdout
    assert "38 of the reads before them were edge hits" in run.stdout  # the edge did keep the pages
    assert "never served the edge's copy" in run.stdout
