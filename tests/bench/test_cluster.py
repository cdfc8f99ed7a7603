"""bench/cluster's mail server: its refusal belongs to the run, however long building the site took."""

import smtplib
from email.message import EmailMessage

import pytest

from bench.cluster import MailServer


def send(server: MailServer) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "site@example.com", "reader@example.com", "Hello"
    message.set_content("A reply to your comment.")
    with smtplib.SMTP("127.0.0.1", server.controller.port, timeout=10) as smtp:
        smtp.send_message(message)


def test_the_mail_server_refuses_until_the_run_starts_then_for_its_refuse_seconds_after():
    server = MailServer(refuse_seconds=0)
    server.start()
    try:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(server)
        server.run_starts()
        send(server)
    finally:
        server.stop()
    assert refused.value.smtp_code == 451
    assert server.refused == 1
    assert [to for to, _ in server.received] == ["reader@example.com"]
