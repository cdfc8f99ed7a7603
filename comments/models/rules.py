"""Comment rules kept by moderators: WordPress's "Comment Moderation" and "Disallowed Comment Keys".

Each rule names words, an email address or domain, an IP address or network, or a link domain, and
either holds a matching comment for a moderator or files it as spam. A rule in shadow mode only records
what it would have done (the history and the spam-defence report show it), so a new rule can be tried
before it acts. Rules apply when a comment arrives and at every re-check (comments/screening.py).

Public blocklists run to tens of thousands of entries, so the active rules are compiled once per change
(`RuleMatcher`, kept per process under the rules' stamp) into lookups whose cost does not grow with
the list: phrases by their first word, addresses and domains in sets, networks by prefix length.
"""

import ipaddress
import re
from collections import defaultdict
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from reviews.models import PageStamp

from .body import render_body

_HREF = re.compile(r'href="([^"]*)"')
_WORD_CHAR = re.compile(r"\w")
_FIRST_WORD = re.compile(r"\w+|\S")
# Where a phrase may start (no letter or digit before it), with its first word or sign.
_STARTS = re.compile(r"(?<!\w)(?:\w+|[^\w\s])")
RULES_STAMP = "comment-rules"  # a PageStamp: moves with every change to the rules


def link_hosts(comment) -> set[str]:
    """The hosts a comment links to: in its words (as rendered, so exactly the links readers get) and its website."""
    urls = _HREF.findall(comment.body_html or render_body(comment.body or ""))
    if comment.author_url:
        urls.append(comment.author_url)
    return {(urlsplit(url).hostname or "").lower().rstrip(".") for url in urls} - {""}


def _domains(host: str) -> list[str]:
    """The domains a host is in: www.pills.example is in www.pills.example, pills.example and example."""
    labels = host.split(".")
    return [".".join(labels[n:]) for n in range(len(labels))]


def _words(comment) -> str:
    text = " ".join([comment.body or "", comment.author_name or "", comment.author_url or ""]).casefold()
    return " ".join(text.split())


def touch_rules() -> None:
    """Move the rules' stamp: every process compiles them afresh at its next comment."""
    PageStamp.objects.update_or_create(name=RULES_STAMP, defaults={"changed_at": timezone.now()})


class CommentRuleQuerySet(models.QuerySet):
    """update(), delete() and bulk_create() skip save() and delete(): they move the rules' stamp too,
    so the admin's list editing and "Delete selected" reach every process's compiled rules."""

    def update(self, **kwargs):
        with transaction.atomic():
            touch_rules()
            return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        with transaction.atomic():
            touch_rules()
            return super().delete()

    delete.alters_data = True

    def bulk_create(self, objs, *args, **kwargs):
        with transaction.atomic():
            touch_rules()
            return super().bulk_create(objs, *args, **kwargs)


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

    objects = CommentRuleQuerySet.as_manager()

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

    def save(self, *args, **kwargs):
        with transaction.atomic():
            touch_rules()
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            touch_rules()
            return super().delete(*args, **kwargs)

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
        return bool(RuleMatcher([self]).matching(comment))


class RuleMatcher:
    """Rules compiled for matching: what a comment costs depends on its length, not on how many rules
    there are. Words and phrases match whole words in any case, across line breaks; an email rule is an
    address or a domain (its subdomains too), an IP rule an address or a network, a link rule a domain
    a link in the comment (or its website) points to."""

    def __init__(self, rules):
        self.rules = list(rules)
        self.phrases = defaultdict(list)  # first word → [(phrase, index)]
        self.addresses = defaultdict(list)  # email address → [index]
        self.email_domains = defaultdict(list)
        self.link_domains = defaultdict(list)
        self.networks = defaultdict(lambda: defaultdict(list))  # (version, prefix length) → network → [index]
        Kind = CommentRule.Kind
        for index, rule in enumerate(self.rules):
            pattern = " ".join((rule.pattern or "").split())
            if not pattern:
                continue
            if rule.kind == Kind.WORDS:
                phrase = pattern.casefold()
                self.phrases[_FIRST_WORD.match(phrase).group()].append((phrase, index))
            elif rule.kind == Kind.EMAIL:
                pattern = pattern.lower().lstrip("@.").rstrip(".")
                (self.addresses if "@" in pattern else self.email_domains)[pattern].append(index)
            elif rule.kind == Kind.LINK:
                self.link_domains[pattern.lower().lstrip(".").rstrip(".")].append(index)
            elif rule.kind == Kind.IP:
                try:
                    network = ipaddress.ip_network(pattern, strict=False)
                except ValueError:
                    continue
                self.networks[network.version, network.prefixlen][network].append(index)

    def matching(self, comment) -> list["CommentRule"]:
        """The rules this comment matches, in the order they were given."""
        found = set()
        if self.phrases:
            text = _words(comment)
            for start in _STARTS.finditer(text):
                for phrase, index in self.phrases.get(start.group(), ()):
                    end = start.start() + len(phrase)
                    if text.startswith(phrase, start.start()) and not _WORD_CHAR.match(text, end):
                        found.add(index)
        if email := (comment.author_email or "").lower():
            found.update(self.addresses.get(email, ()))
            for domain in _domains(email.rpartition("@")[2]):
                found.update(self.email_domains.get(domain, ()))
        if self.networks and comment.ip_address:
            try:
                address = ipaddress.ip_address(comment.ip_address)
            except ValueError:
                address = None
            for (version, prefix), networks in self.networks.items():
                if address is not None and address.version == version:
                    found.update(networks.get(ipaddress.ip_network(f"{address}/{prefix}", strict=False), ()))
        if self.link_domains:
            for host in link_hosts(comment):
                for domain in _domains(host):
                    found.update(self.link_domains.get(domain, ()))
        return [self.rules[index] for index in sorted(found)]


_compiled: tuple = (object(), None)  # (the rules' stamp, their RuleMatcher) in this process


def active_rules() -> RuleMatcher:
    """The active rules, compiled once per change of the rules: each comment costs one read of their stamp."""
    global _compiled
    stamp = PageStamp.objects.filter(name=RULES_STAMP).values_list("changed_at", flat=True).first()
    if _compiled[0] != stamp:
        _compiled = (stamp, RuleMatcher(CommentRule.objects.filter(active=True)))
    return _compiled[1]
