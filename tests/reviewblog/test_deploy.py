"""The systemd units in reviewblog/deploy/, checked by systemd itself against this machine's real paths."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

DEPLOY = Path(settings.BASE_DIR) / "reviewblog" / "deploy"
UNITS = ["reviewblog-web.service", "reviewblog-worker.service", "reviewblog-varnish.service"]
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def render(unit: str, into: Path) -> Path:
    """The unit as installed, with /srv/reviewblog's paths replaced by this checkout's."""
    venv = Path(sys.executable).parent
    env_file = into / "env"
    env_file.write_text("DEBUG=0\n")
    text = (DEPLOY / unit).read_text()
    for installed, here in [
        ("/srv/reviewblog/.venv/bin/", f"{venv}/"),
        ("/srv/reviewblog/env", str(env_file)),
        ("/srv/reviewblog/reviewblog/", f"{settings.BASE_DIR}/reviewblog/"),
        ("WorkingDirectory=/srv/reviewblog", f"WorkingDirectory={into}"),
    ]:
        text = text.replace(installed, here)
    assert "/srv/" not in text, text
    rendered = into / unit
    rendered.write_text(text)
    return rendered


@pytest.mark.parametrize("unit", UNITS)
def test_the_unit_passes_systemd_analyze_verify(unit, tmp_path):
    if SYSTEMD_ANALYZE is None:
        pytest.skip("systemd-analyze is not installed (apt install systemd)")
    rendered = render(unit, tmp_path)
    done = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", str(rendered)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.strip() == "", done.stderr


@pytest.mark.parametrize("unit", UNITS)
def test_the_unit_restarts_and_stops_gracefully(unit):
    text = (DEPLOY / unit).read_text()
    for line in ["Restart=always", "KillSignal=SIGTERM", "TimeoutStopSec=", "WorkingDirectory=/srv/reviewblog"]:
        assert line in text


@pytest.mark.parametrize("unit", ["reviewblog-web.service", "reviewblog-worker.service"])
def test_the_site_units_run_as_the_site_user_with_its_settings(unit):
    text = (DEPLOY / unit).read_text()
    assert "User=reviewblog" in text
    assert "EnvironmentFile=/srv/reviewblog/env" in text


def test_the_edge_unit_runs_the_sites_vcl():
    assert "-f /srv/reviewblog/reviewblog/edge/default.vcl" in (DEPLOY / "reviewblog-varnish.service").read_text()


@pytest.mark.parametrize("unit", UNITS)
def test_the_readme_points_at_the_unit(unit):
    assert f"reviewblog/deploy/{unit}" in (Path(settings.BASE_DIR) / "README.md").read_text()
