"""Errors to Sentry (or any tracker that speaks its protocol), without readers' emails or IP addresses.

Only settings.py imports this, and only when SENTRY_DSN is set. `send_default_pii=False` already keeps
cookies, the user's IP and logged-in user out; `scrub` then removes what can still carry a reader's
identity: the headers and WSGI variables that hold an IP (X-Forwarded-For, X-Real-IP, REMOTE_ADDR…),
any user field but the id, and every email address or IPv4 address written anywhere in the event (a
comment form's data, a local variable in a stack frame, a log message in the breadcrumbs).
"""

import re

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

EMAIL = re.compile(r"[^\s@<>\"'(),;:]+@[^\s@<>\"'(),;:]+\.[A-Za-z]{2,}")
IPV4 = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")
IP_HEADERS = {"x-forwarded-for", "x-real-ip", "forwarded", "cf-connecting-ip", "true-client-ip", "cookie"}
IP_ENV = {"REMOTE_ADDR", "REMOTE_HOST", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP"}
LEAVE = {"modules", "sdk", "contexts", "release"}  # package versions and runtime, never a reader's


def _scrub_strings(value):
    if isinstance(value, str):
        return IPV4.sub("[ip]", EMAIL.sub("[email]", value))
    if isinstance(value, dict):
        return {key: _scrub_strings(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub_strings(item) for item in value]
    return value


def scrub(event: dict, hint: dict | None = None) -> dict:
    """`before_send`: the event without anything that names a reader."""
    request = event.get("request") or {}
    request.pop("cookies", None)
    if isinstance(request.get("headers"), dict):
        request["headers"] = {k: v for k, v in request["headers"].items() if k.lower() not in IP_HEADERS}
    if isinstance(request.get("env"), dict):
        request["env"] = {k: v for k, v in request["env"].items() if k not in IP_ENV}
    if "user" in event:
        event["user"] = {"id": event["user"]["id"]} if event["user"].get("id") else {}
    return {key: value if key in LEAVE else _scrub_strings(value) for key, value in event.items()}


def start_error_tracking(dsn: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        before_send=scrub,
        before_send_transaction=scrub,
    )
