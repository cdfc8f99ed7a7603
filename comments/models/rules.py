"""Comment rules kept by moderators: WordPress's "Comment Moderation" and "Disallowed Comment Keys".

Each rule names words, an email address or domain, an IP address or network, or a link domain, and
either holds a matching comment for a moderator or files it as spam. A rule in shadow mode only records
what it would have done (the history and the spam-defence report show it), so a new rule can be tried
before it acts. Rules apply when a comment arrives and at every re-check (comments/screening.py).
"""

import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

_HREF = re.compile(r'href="([^"]*)"')


def link_hosts(comment) -> set[str]:
    """The hosts a comment links to: in its words (as rendered, so exactly the links readers get) and its website."""
    from . import render_body

    urls = _HREF.findall(comment.body_html or render_body(comment.body or ""))
    if comment.author_url:
        urls.append(comment.author_url)
    return {(urlsplit(url).hostname or "").lower().rstrip(".") for url in urls} - {""}


def _in_domain(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


class CommentRule(models.Model):
    class Kind(models.TextChoices):
        WORDS = "words", "Words or phrase"
        EMAIL = "email", "Email address or domain"
        IP = "ip", "IP address or network"
        LINK = "link", "Link domain"

    class Action(models.TextChoices):
        HOLD = "hold", "Hold for a moderator"
        SPAM = "spam", "File as spam"

    kind = models.CharField(max_length=5, choices=Kind.choices)
    pattern = models.CharField(
        max_length=200,
        help_text="A word or phrase (whole words, any case); ana@example.com or example.com; "
        "203.0.113.7 or 203.0.113.0/24; a domain a link points to (its subdomains match too).",
    )
    action = models.CharField(max_length=4, choices=Action.choices, default=Action.HOLD)
    shadow = models.BooleanField(
        "shadow mode", default=False, help_text="Only record what the rule would have done; it does not act."
    )
    active = models.BooleanField(default=True)
    note = models.CharField("why", max_length=200, blank=True, help_text="For the other moderators.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "pattern"]
        verbose_name = "comment rule"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["words", "email", "ip", "link"]), name="commentrule_kind_valid"
            ),
            models.CheckConstraint(condition=Q(action__in=["hold", "spam"]), name="commentrule_action_valid"),
            models.UniqueConstraint(fields=["kind", "pattern"], name="commentrule_unique_pattern"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.pattern}"

    def clean(self):
        self.pattern = " ".join((self.pattern or "").split())
        if self.kind in (self.Kind.EMAIL, self.Kind.LINK):
            self.pattern = self.pattern.lower().lstrip("@.").rstrip(".")
        if not self.pattern:
            raise ValidationError({"pattern": "Say what the rule matches."})
        if self.kind == self.Kind.IP:
            try:
                self.pattern = str(ipaddress.ip_network(self.pattern, strict=False))
            except ValueError:
                raise ValidationError(
                    {"pattern": "Give an IP address (203.0.113.7) or a network (203.0.113.0/24)."}
                ) from None
        elif self.kind in (self.Kind.EMAIL, self.Kind.LINK) and (" " in self.pattern or "." not in self.pattern):
            raise ValidationError({"pattern": "Give an address (ana@example.com) or a domain (example.com)."})

    @property
    def summary(self) -> str:
        """How the history and "why it is held" name this rule."""
        return f"rule “{self.pattern}” ({self.get_kind_display().lower()})"

    def matches(self, comment) -> bool:
        if self.kind == self.Kind.WORDS:
            words = re.compile(r"(?<!\w)" + re.escape(self.pattern.casefold()) + r"(?!\w)")
            text = " ".join([comment.body or "", comment.author_name or "", comment.author_url or ""]).casefold()
            return bool(words.search(" ".join(text.split())))
        if self.kind == self.Kind.EMAIL:
            email = (comment.author_email or "").lower()
            if "@" in self.pattern:
                return email == self.pattern
            return bool(email) and _in_domain(email.rpartition("@")[2], self.pattern)
        if self.kind == self.Kind.IP:
            if not comment.ip_address:
                return False
            try:
                return ipaddress.ip_address(comment.ip_address) in ipaddress.ip_network(self.pattern, strict=False)
            except ValueError:
                return False
        return any(_in_domain(host, self.pattern) for host in link_hosts(comment))
