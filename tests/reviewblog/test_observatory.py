"""The MDN HTTP Observatory's own scanner (npm @mdn/mdn-http-observatory, tests/observatory.mjs) grades the
site as the README's production recipe runs it: its nginx block in front of gunicorn with its variables.
What that nginx adds is checked too: compression that caches know about, and headers on uploads.

The nginx block is the README's, with what a test must change: ports of the test's choosing on 127.0.0.1,
a throwaway CA's certificate for localhost (trusted by the scanner through NODE_EXTRA_CA_CERTS) and this
test's folders. It needs node, nginx and openssl: skipped on a machine without them, required in CI
(REQUIRE_EDGE, set by .ci/run, which installs nginx)."""

import gzip
import http.client
import json
import os
import pwd
import re
import shutil
import ssl
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.site_process import manage
from tests.test_project import free_port, production_env, readme_production_variables

ROOT = Path(__file__).resolve().parents[2]
SCANNER = ROOT / "tests" / "observatory.mjs"
PACKAGE = ROOT / "tests" / "node_modules" / "@mdn" / "mdn-http-observatory"


def require_tools():
    missing = [name for name in ("node", "nginx", "openssl") if not shutil.which(name)]
    if not PACKAGE.is_dir():
        missing.append("@mdn/mdn-http-observatory (`npm ci` in tests/, which `make test` runs)")
    if missing:
        if os.environ.get("REQUIRE_EDGE"):
            pytest.fail(f"{', '.join(missing)} required here but missing")
        pytest.skip(
            f"{', '.join(missing)} not installed (apt-get install nodejs npm nginx-light openssl); CI runs this"
        )


def certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA made for this test only, and a certificate it signed for localhost: (CA, certificate, key)."""
    ca, ca_key, cert, key, csr = (folder / name for name in ("ca.pem", "ca.key", "cert.pem", "cert.key", "cert.csr"))
    ext = folder / "cert.ext"
    ext.write_text("subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    for command in [
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2"]
        + ["-subj", "/CN=reviewblog test CA"],
        ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=localhost"],
        ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert, "-days", "2"]
        + ["-extfile", ext],
    ]:
        subprocess.run(["openssl", *map(str, command)], check=True, capture_output=True, timeout=60)
    return ca, cert, key


def readme_nginx_block() -> str:
    recipe = (ROOT / "README.md").read_text().split("## Production recipe", 1)[1]
    return recipe.split("```nginx\n", 1)[1].split("```", 1)[0]


def nginx_conf(folder: Path, cert: Path, key: Path, http_port: int, https_port: int, backend: int, media: Path) -> str:
    block = readme_nginx_block()
    for production, here in [
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        # Production redirects to 443, which https:// means; here HTTPS listens on a port of the test's own.
        ("return 301 https://$host$request_uri;", f"return 301 https://$host:{https_port}$request_uri;"),
        ("/etc/letsencrypt/live/films.example/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/films.example/privkey.pem", str(key)),
        ("/srv/reviewblog/media/", f"{media}/"),
        ("proxy_pass http://127.0.0.1:8000;", f"proxy_pass http://127.0.0.1:{backend};"),
    ]:
        assert block.count(production) == 1, f"the README's nginx block has changed: {production!r}"
        block = block.replace(production, here)
    block = block.replace("server_name films.example;", "server_name localhost;")
    temp = "".join(
        f"{name}_temp_path {folder}/{name};\n" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = pwd.getpwuid(os.getuid()).pw_name  # its workers may read and write the test's folders
    return (
        f"user {user}; worker_processes 1; daemon off; pid {folder}/nginx.pid; error_log {folder}/error.log;\n"
        f"events {{ worker_connections 64; }}\nhttp {{ access_log off; {temp}\n{block}}}\n"
    )


def wait_for(port: int, server: subprocess.Popen, name: str) -> None:
    """Until the server on `port` answers an HTTP request (any answer: nginx's is a redirect)."""
    for _ in range(200):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return
        except OSError:
            assert server.poll() is None, f"{name} stopped: {server.stderr.read().decode()[-2000:]}"
            time.sleep(0.1)
        finally:
            connection.close()
    raise AssertionError(f"{name} did not answer on port {port}")


@contextmanager
def running(command: list[str], name: str, port: int, **options):
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **options)
    try:
        wait_for(port, server, name)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=20)
        server.stderr.close()


@pytest.fixture(scope="module")
def production_site(tmp_path_factory):
    """The site with the README's production variables, behind the README's nginx: (HTTP port, HTTPS port,
    CA file, the path of a published review)."""
    require_tools()
    folder = tmp_path_factory.mktemp("observatory")
    http_port, https_port, backend = free_port(), free_port(), free_port()
    origin = f"https://localhost:{https_port}"
    env = production_env(folder)
    readme = readme_production_variables()
    env |= {k: v for k, v in readme.items() if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "REDIS_URL"}}
    env |= {"ALLOWED_HOSTS": "localhost", "SITE_URL": origin, "CSRF_TRUSTED_ORIGINS": origin}
    for command in [("migrate", "--noinput"), ("collectstatic", "--noinput"), ("load_demo", "--allow-demo-logins")]:
        done = manage(env, *command)
        assert done.returncode == 0, done.stdout + done.stderr
    find_review = "from reviews.models import Review; print(Review.objects.published().first().get_absolute_url())"
    review = manage(env, "shell", "-v", "0", "-c", find_review).stdout.strip()
    assert review.startswith("/"), review
    ca, cert, key = certificates(folder)
    conf = folder / "nginx.conf"
    conf.write_text(nginx_conf(folder, cert, key, http_port, https_port, backend, folder / "media"))
    gunicorn = [sys.executable, "-m", "gunicorn", "reviewblog.wsgi", "-b", f"127.0.0.1:{backend}", "-w", "1"]
    nginx = ["nginx", "-c", str(conf), "-p", str(folder), "-e", str(folder / "error.log")]
    with (
        running(gunicorn, "gunicorn", backend, cwd=ROOT, env=env),
        running(nginx, "nginx", http_port, start_new_session=True),
    ):
        yield http_port, https_port, ca, review


def scan(site, page: str) -> dict:
    http_port, https_port, ca, _ = site
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(ca)}
    command = ["node", str(SCANNER), "localhost", str(http_port), str(https_port), page]
    done = subprocess.run(command, cwd=ROOT / "tests", env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    outcomes = ", ".join(
        f"{name} {test['result']} ({test['scoreModifier']:+d})" for name, test in result["tests"].items()
    )
    print(f"Observatory {page}: {result['grade']} {result['score']}/100: {outcomes}")
    return result


@pytest.mark.parametrize("page", ["home", "review"])
def test_the_observatory_grades_the_public_pages_a_plus_and_takes_no_point_off(production_site, page):
    path = "/" if page == "home" else production_site[3]

    result = scan(production_site, path)

    assert result["url"] == f"https://localhost:{production_site[1]}{path}"
    assert (result["grade"], result["statusCode"]) == ("A+", 200), result["tests"]
    assert result["score"] >= 100
    assert {name: test for name, test in result["tests"].items() if test["scoreModifier"] < 0} == {}
    assert result["tests"]["redirection"]["result"] == "redirection-to-https"
    # Over a certificate it trusts: else this would be hsts-invalid-cert.
    assert result["tests"]["strict-transport-security"]["result"] == "hsts-implemented-max-age-at-least-six-months"


def fetch(site, path: str, **headers) -> http.client.HTTPResponse:
    _, https_port, ca, _ = site
    context = ssl.create_default_context(cafile=str(ca))
    connection = http.client.HTTPSConnection("localhost", https_port, context=context, timeout=10)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


@pytest.mark.parametrize("path", ["/", "/feed/", "/sitemap.xml"])
def test_pages_feeds_and_the_sitemap_come_compressed_and_say_they_vary_by_encoding(production_site, path):
    response = fetch(production_site, path, **{"Accept-Encoding": "gzip"})

    assert response.status == 200
    assert response.getheader("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in response.getheader("Vary", "")
    assert gzip.decompress(response.body)


def test_uploaded_images_are_kept_by_browsers_and_never_sniffed(production_site):
    review = fetch(production_site, production_site[3]).body.decode()
    image = re.search(r'src="(/media/[^"]+)"', review).group(1)

    response = fetch(production_site, image)

    assert response.status == 200
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert "max-age=2592000" in response.getheader("Cache-Control", "")
