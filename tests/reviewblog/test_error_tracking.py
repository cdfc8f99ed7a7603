"""reviewblog/error_tracking.py: errors reach a Sentry server with no reader's email or IP address."""

import gzip
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reviewblog.error_tracking import scrub
from tests.site_process import manage

READER = ("ana@example.com", "198.51.100.4", "203.0.113.9")


@pytest.fixture
def sentry_server():
    """A Sentry ingest endpoint on 127.0.0.1 that keeps every envelope it is sent."""
    envelopes = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            envelopes.append((self.path, body.decode()))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], envelopes
    server.shutdown()
    server.server_close()


# A failure in a reader's request, as the Django integration reports it: the request's headers and
# WSGI environment, the form they sent, a local variable holding their address.
RAISE = """
import sentry_sdk

def add_request(event, hint):
    event["request"] = {
        "url": "http://testserver/reviews/x/comments/",
        "method": "POST",
        "headers": {"X-Forwarded-For": "203.0.113.9", "User-Agent": "Mozilla/5.0", "Cookie": "sessionid=s"},
        "env": {"REMOTE_ADDR": "198.51.100.4", "SERVER_NAME": "testserver"},
        "data": {"author_email": "ana@example.com", "body": "write to ana@example.com"},
    }
    event["user"] = {"id": "7", "email": "ana@example.com", "ip_address": "198.51.100.4"}
    return event

sentry_sdk.get_isolation_scope().add_event_processor(add_request)
sentry_sdk.set_extra("reader", "Ana <ana@example.com> from 198.51.100.4")
try:
    author_email = "ana@example.com"
    raise RuntimeError("comment from ana@example.com failed")
except RuntimeError:
    sentry_sdk.capture_exception()
sentry_sdk.flush(5)
"""


def test_an_error_reaches_the_tracker_without_the_readers_email_or_ip(sentry_server):
    port, envelopes = sentry_server
    env = {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "reviewblog.settings",
        "SENTRY_DSN": f"http://public@127.0.0.1:{port}/1",
    }
    result = manage(env, "shell", "-v", "0", "-c", RAISE, timeout=60)
    assert result.returncode == 0, result.stderr
    [event] = [body for path, body in envelopes if '"RuntimeError"' in body]
    assert "/api/1/envelope/" in [path for path, body in envelopes][0]
    assert "comment from [email] failed" in event
    assert "testserver" in event  # the rest of the request is kept
    for personal in READER:
        assert personal not in event


def test_without_a_dsn_sentry_is_not_even_imported():
    env = {**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "reviewblog.settings", "SENTRY_DSN": ""}
    code = "import sys; print('sentry_sdk' in sys.modules)"
    result = manage(env, "shell", "-v", "0", "-c", code, timeout=60)
    assert result.stdout.strip() == "False", result.stderr


def test_scrub_keeps_the_user_id_and_drops_what_identifies_a_reader():
    event = scrub(
        {
            "user": {"id": "7", "email": "ana@example.com", "ip_address": "198.51.100.4"},
            "request": {"headers": {"X-Real-IP": "198.51.100.4", "Accept": "text/html"}, "cookies": {"s": "1"}},
            "breadcrumbs": {"values": [{"message": "sent to ana@example.com"}]},
            "modules": {"django": "5.2.20"},
        }
    )
    assert event["user"] == {"id": "7"}
    assert event["request"] == {"headers": {"Accept": "text/html"}}
    assert event["breadcrumbs"] == {"values": [{"message": "sent to [email]"}]}
    assert event["modules"] == {"django": "5.2.20"}
