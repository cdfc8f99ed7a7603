"""A small Akismet-protocol server on 127.0.0.1 for the tests, and the fixture that starts it.

It answers like rest.akismet.com does, following Akismet's documented test values:
- verify-key: "valid" for GOOD_KEY, otherwise "invalid" with an X-akismet-debug-help header;
- comment-check: "invalid" for a bad key; "true" for the author `akismet-guaranteed-spam` or the email
  `akismet-guaranteed-spam@example.com` (plus `X-akismet-pro-tip: discard` when the text holds
  "BLATANT", standing in for the spam Akismet is sure of); "false" for `user_role=administrator`
  and everything else;
- submit-spam / submit-ham: the thanks line.
It can be made slow, answer 500, or be down (stopped, so connections are refused), and it keeps
every request it received for the tests to read.

bench/load runs it on its own, as a process:
`python -m tests.akismet_server --port 8123 --mode slow --slow-seconds 6` (modes: normal, slow, error).
"""

import argparse
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

GOOD_KEY = "test-akismet-key"
SPAM_AUTHOR = "akismet-guaranteed-spam"
SPAM_EMAIL = "akismet-guaranteed-spam@example.com"
THANKS = "Thanks for making the web a better place."


class AkismetServer:
    def __init__(self):
        self.received: list[tuple[str, dict[str, str]]] = []
        self.mode = "normal"  # or "slow" (sleeps past the client's timeout) or "error" (HTTP 500)
        self.slow_seconds = 0.6
        self.port = 0
        self._httpd = None

    # --- running ---

    def start(self):
        handler = type("Handler", (_Handler,), {"akismet": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        """Go down: the port is closed and connections are refused until start() again."""
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- what the tests read ---

    def calls(self, endpoint: str) -> list[dict[str, str]]:
        return [params for path, params in self.received if path.endswith(endpoint)]

    # --- answering ---

    def answer(self, path: str, params: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        if self.mode == "error":
            return 500, "Internal Server Error", {}
        if self.mode == "slow":
            time.sleep(self.slow_seconds)
        key_ok = params.get("api_key") == GOOD_KEY
        if path == "/1.1/verify-key":
            return (200, "valid", {}) if key_ok else (200, "invalid", {"X-akismet-debug-help": "Bad key"})
        if not key_ok:
            return 200, "invalid", {"X-akismet-debug-help": "We were unable to verify your API key."}
        if path == "/1.1/comment-check":
            if not params.get("user_ip"):
                return 200, "Missing required field: user_ip.", {}
            if params.get("user_role") == "administrator":
                return 200, "false", {}
            if params.get("comment_author") == SPAM_AUTHOR or params.get("comment_author_email") == SPAM_EMAIL:
                blatant = "BLATANT" in params.get("comment_content", "")
                return 200, "true", {"X-akismet-pro-tip": "discard"} if blatant else {}
            return 200, "false", {}
        if path in ("/1.1/submit-spam", "/1.1/submit-ham"):
            return 200, THANKS, {}
        return 404, "Not found", {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    akismet: AkismetServer

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        params = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode(), keep_blank_values=True).items()}
        self.akismet.received.append((self.path, params))
        status, body, headers = self.akismet.answer(self.path, params)
        data = body.encode()
        try:
            self.send_response(status)
            for name, value in {"Content-Type": "text/plain", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (the "slow" mode)

    def log_message(self, *args):
        pass


@pytest.fixture
def akismet_server(settings):
    """A running Akismet server, with the site configured to use it through AKISMET_API_URL."""
    server = AkismetServer().start()
    settings.AKISMET_API_KEY = GOOD_KEY
    settings.AKISMET_API_URL = server.url
    settings.AKISMET_SITE_URL = "https://films.example/"
    settings.AKISMET_TIMEOUT = 0.25
    yield server
    server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the Akismet protocol on 127.0.0.1 until stopped.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=["normal", "slow", "error"], default="normal")
    parser.add_argument("--slow-seconds", type=float, default=6.0, help="how long each call waits in slow mode")
    options = parser.parse_args()
    server = AkismetServer()
    server.port, server.mode, server.slow_seconds = options.port, options.mode, options.slow_seconds
    server.received = _Forgetful()  # a long run must not keep every request
    server.start()
    print(f"Akismet server ({options.mode}) on {server.url}", flush=True)
    threading.Event().wait()


class _Forgetful(list):
    def append(self, item) -> None:
        pass


if __name__ == "__main__":
    main()
