"""What we can tell about a comment before Akismet: the moderators' rules and the signs of a bot.

`flags(comment)` reads the stored comment (and the comments around it) and says which layers would act,
so the same answer comes when it arrives and at every re-check (`moderation.receive` and
`moderation._apply_verdict` call it). A flag either holds the comment for a moderator or files it as
spam; `decide()` adds them up. Never at the cost of a human:

- a sign no person leaves (the honeypot, a form sent within a second of its first use, no User-Agent at
  all, the same words from one address under three or more names) files it as spam by itself;
- a sign a person might leave (more links than allowed, a form sent sooner than anyone types, a burst
  from one network, the same words under two names, a stamp we did not sign or one used before) only
  holds it, and two of them together file it as spam;
- no stamp at all (a reader without JavaScript, or a page kept from before) is no sign of anything.

What it costs does not grow with a burst or with the rule list: the signs that look at other comments
read a bounded, indexed window (the stored `network` of each comment, its address), and the rules are
compiled once per change (`rules.active_rules`). It never screens other comments: `neighbours` names
those a burst or copy tells on, and the task worker screens them again, after the reader's POST.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from .models import Comment, CommentEvent, CommentRule, count_links, network_of
from .models.rules import active_rules

Layer = CommentEvent.Layer
HOLD, SPAM = "hold", "spam"

STAMP_SALT = "comments.form-stamp"
STAMP_MAX_AGE = 2 * 24 * 3600  # a tab left open longer proves nothing either way


@dataclass(frozen=True)
class Flag:
    layer: str
    action: str  # HOLD or SPAM
    note: str  # what moderators read under "why it is held"
    rule: CommentRule | None = None
    shadow: bool = False

    @property
    def acts(self) -> bool:
        return not self.shadow


# --- The form's stamp ---


def make_stamp(at: float | None = None) -> str:
    """A signed "the form was first used at" time, handed out with the form's CSRF token. Its nonce makes
    each stamp good for one comment (`read_stamp`)."""
    moment = timezone.now().timestamp() if at is None else at
    return signing.dumps([round(moment, 3), secrets.token_urlsafe(12)], salt=STAMP_SALT, compress=False)


def read_stamp(value: str, *, now=None) -> tuple[float | None, bool]:
    """(seconds since the stamp, forged?) for what the form of a stored comment sent back, and the stamp
    is used up: sent again it counts as one we did not sign (fetched once, it would make every comment a
    script sends look typed). No stamp or an old one: (None, False)."""
    if not value:
        return None, False
    try:
        moment, nonce = signing.loads(value, salt=STAMP_SALT)
        moment = float(moment)
    except (signing.BadSignature, TypeError, ValueError):
        return None, True
    elapsed = (now or timezone.now()).timestamp() - moment
    if elapsed < -5:  # a stamp from the future was not signed for this form
        return None, True
    if elapsed > STAMP_MAX_AGE:
        return None, False
    # Remembered as long as the stamp could count: in the shared cache, so every worker knows it.
    if not cache.add(f"comments:stamp-used:{nonce}", True, timeout=STAMP_MAX_AGE):
        return None, True
    return max(elapsed, 0.0), False


# --- The layers ---


def _timing(comment: Comment) -> list[Flag]:
    flags = []
    if comment.stamp_forged:
        flags.append(
            Flag(Layer.TIMING, HOLD, "the form came back with a time stamp we did not sign, or one used before")
        )
    seconds = comment.typing_seconds
    if seconds is None:
        return flags  # no JavaScript: never held for timing alone
    if seconds < settings.COMMENT_INSTANT_SECONDS:
        flags.append(Flag(Layer.TIMING, SPAM, f"sent {seconds:.1f} s after the form was first used (a script)"))
    elif seconds < settings.COMMENT_MIN_TYPING_SECONDS:
        flags.append(Flag(Layer.TIMING, HOLD, f"sent {seconds:.1f} s after the form was first used"))
    return flags


def _user_agent(comment: Comment) -> list[Flag]:
    if comment.user_agent.strip():
        return []
    # Every browser sends one; only hand-written scripts send none. Kept for COMMENT_PERSONAL_DATA_DAYS,
    # past any re-check, so it still reads right then.
    return [Flag(Layer.USER_AGENT, SPAM, "sent without a User-Agent (no browser does that)")]


def _links(comment: Comment) -> list[Flag]:
    links = count_links(comment.body)
    if links > settings.COMMENT_MAX_LINKS:
        return [Flag(Layer.LINKS, HOLD, f"{links} links (limit {settings.COMMENT_MAX_LINKS})")]
    return []


def _copies(comment: Comment) -> list[Flag]:
    """The same words from one address under other names or emails within a day."""
    if not comment.ip_address or len(comment.body) < 20:  # "Thanks!" from one office is people
        return []
    day = timedelta(hours=24)
    copies = Comment.objects.filter(
        ip_address=comment.ip_address,
        body=comment.body,
        created_at__gte=comment.created_at - day,
        created_at__lte=comment.created_at + day,
    ).exclude(pk=comment.pk)
    identities = {(comment.author_name.casefold(), comment.author_email.lower())}
    identities |= {
        # A hundred copies tell as much as a thousand: the read stops there.
        (name.casefold(), email.lower())
        for name, email in copies.values_list("author_name", "author_email")[:100]
    }
    if len(identities) >= settings.COMMENT_COPIES_SPAM:
        return [Flag(Layer.DUPLICATE, SPAM, "the same words from one address under several names or emails")]
    if len(identities) > 1:
        return [Flag(Layer.DUPLICATE, HOLD, "the same words from one address under another name or email")]
    return []


def _same_network(comment: Comment, network: str):
    """Other comments from this network within the burst window either side of this one (the window is
    symmetric, so a re-check of an early comment of a burst sees the burst too)."""
    window = timedelta(minutes=settings.COMMENT_BURST_MINUTES)
    return Comment.objects.filter(
        network=network, created_at__gte=comment.created_at - window, created_at__lte=comment.created_at + window
    ).exclude(pk=comment.pk)


def _burst(comment: Comment) -> list[Flag]:
    """More comments from one network in a few minutes than a network of readers sends."""
    network = network_of(comment.ip_address)  # not saved yet when it arrives
    if not network:
        return []
    limit = settings.COMMENT_BURST_COUNT
    # Whether there are more than the limit is all it asks: the count stops there, however long the burst.
    if _same_network(comment, network)[:limit].count() < limit:
        return []
    return [
        Flag(
            Layer.BURST,
            HOLD,
            f"a burst: more than {limit} comments from {network} within {settings.COMMENT_BURST_MINUTES} minutes",
        )
    ]


NEIGHBOURS_AT_ONCE = 100


def neighbours(comment: Comment) -> list[Comment]:
    """Waiting comments a burst or copy found in this one tells on, to be screened again: the same words
    from the same address, and those of the network within the window not yet held for a burst (so a
    long burst does not screen its whole past at every comment). At most NEIGHBOURS_AT_ONCE."""
    pending = Comment.objects.pending().select_related("review").order_by("created_at", "id")
    copies = pending.filter(ip_address=comment.ip_address, body=comment.body).exclude(pk=comment.pk)
    found = {c.pk: c for c in copies[:NEIGHBOURS_AT_ONCE]} if comment.ip_address else {}
    if network := network_of(comment.ip_address):
        unheld = _same_network(comment, network).filter(status=Comment.Status.PENDING)
        unheld = unheld.exclude(events__layer=Layer.BURST).select_related("review").order_by("created_at", "id")
        found |= {c.pk: c for c in unheld[:NEIGHBOURS_AT_ONCE]}
    return sorted(found.values(), key=lambda c: (c.created_at, c.pk))


def _rules(comment: Comment) -> list[Flag]:
    return [
        Flag(
            Layer.RULES,
            rule.action,
            f"{rule.summary}: {'filed as spam' if rule.action == SPAM else 'held for a moderator'}"
            + (f" ({rule.note})" if rule.note else ""),
            rule=rule,
            shadow=rule.shadow,
        )
        for rule in active_rules().matching(comment)
    ]


def flags(comment: Comment, *, honeypot_filled: bool = False) -> list[Flag]:
    """Every layer that would act on this comment, in the order moderators read them."""
    found = [Flag(Layer.HONEYPOT, SPAM, "the hidden honeypot field was filled in (a bot)")] if honeypot_filled else []
    found += _rules(comment)
    for layer in (_timing, _user_agent, _links, _copies, _burst):
        found += layer(comment)
    return found


def decide(found: list[Flag]) -> str:
    """SPAM if any acting flag says so or two different bot signs agree; HOLD if any acts; else ""."""
    acting = [flag for flag in found if flag.acts]
    if any(flag.action == SPAM for flag in acting):
        return SPAM
    bot_signs = {flag.layer for flag in acting if flag.layer != Layer.RULES}
    if len(bot_signs) >= 2:
        return SPAM
    return HOLD if acting else ""


def spam_layer(found: list[Flag]) -> Flag | None:
    """The flag to name when a comment is filed as spam: the first that says spam, else the first bot sign."""
    acting = [flag for flag in found if flag.acts]
    return next((flag for flag in acting if flag.action == SPAM), None) or next(
        (flag for flag in acting if flag.layer != Layer.RULES), None
    )
