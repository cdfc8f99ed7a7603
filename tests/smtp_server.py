"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd), and the fixture that starts it.

Its mood can be switched while it runs:
- "accept": takes every email and keeps it (`received`, parsed, headers and all);
- "refuse": answers each recipient "451 try again later", as a busy or greylisting server does;
- "reject": answers each recipient "550 no such mailbox", a refusal for good;
- "hang": takes the recipient, then sits on the message longer than the site's EMAIL_TIMEOUT;
- "hang-on-quit": takes the email, then sits on the client's goodbye (QUIT).
"""

import asyncio
import socket
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller


class SmtpServer:
    def __init__(self):
        self.mode = "accept"
        self.hang_seconds = 5.0
        self.hanging = 0  # messages it has sat on so far ("hang")
        self.received: list[EmailMessage] = []
        self.port = 0
        self._controller = None

    def start(self):
        with socket.socket() as probe:  # a free port: aiosmtpd's readiness check needs to know it
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self):
        if self._controller:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.received if message["To"] == address]

    # --- aiosmtpd's handler hooks ---

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "refuse":
            return "451 4.3.0 Try again later"
        if self.mode == "reject":
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.mode == "hang":
            self.hanging += 1
            await asyncio.sleep(self.hang_seconds)
            return "451 4.3.0 Too slow"
        self.received.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):
        if self.mode == "hang-on-quit":
            await asyncio.sleep(self.hang_seconds)
        return "221 Bye"


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server, with the site sending through it (EMAIL_TIMEOUT short, as the tests wait)."""
    server = SmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 0.5
    server.hang_seconds = 3 * settings.EMAIL_TIMEOUT
    yield server
    server.stop()
