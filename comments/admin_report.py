"""The spam-defence report: what each layer stopped or held in the last 7 or 30 days,
how often moderators overturned it, the queue and how fast it is worked, and what the shadow rules would
have done. Read from the history rows each layer writes (CommentEvent.layer) and, for the refusals that
store no comment, from the daily counters (DefenceCount). Mounted by CommentAdmin.get_urls, for those
who may moderate (Moderators, Editors)."""

import statistics
from collections import defaultdict
from datetime import timedelta
from itertools import groupby

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min
from django.template.response import TemplateResponse
from django.utils import timezone

from .models import Comment, CommentEvent, CommentRule, DefenceCount

Kind, Layer, Verdict, Status = CommentEvent.Kind, CommentEvent.Layer, Comment.Verdict, Comment.Status
PERIODS = (7, 30)
ACTED = (Kind.HELD, Kind.FILED_SPAM, Kind.MARKED_SPAM)  # with a layer and no actor: a defence acted
DECISIONS = (Kind.APPROVED, Kind.MARKED_SPAM, Kind.TRASHED)  # with an actor: a moderator decided
NOT_STORED = (Layer.RATE_LIMIT, Layer.SIZE)
# The table's rows in the order the layers act; Akismet in two: spam, and blatant spam ("discard").
ROWS = [
    (Layer.HONEYPOT, "Honeypot"),
    (Layer.RATE_LIMIT, "Rate limit"),
    (Layer.SIZE, "Size"),
    (Layer.LINKS, "Links"),
    (Layer.RULES, "Rules"),
    (Layer.TIMING, "Timing"),
    (Layer.USER_AGENT, "No User-Agent"),
    (Layer.DUPLICATE, "Same text, other names"),
    (Layer.BURST, "Burst from one network"),
    ("akismet", "Akismet: spam"),
    ("akismet_discard", "Akismet: blatant spam (discard)"),
]
NO_LAYER = "none"  # a false negative no layer had a say on (Akismet off or unreachable)


def row_of(layer: str, verdict: str) -> str:
    return "akismet_discard" if layer == Layer.AKISMET and verdict == Verdict.DISCARD else layer


def layer_counts(since) -> dict[str, dict[str, int]]:
    """{row: {"spam": comments it filed as spam, "held": comments it held, "refused": not stored}}."""
    counts = {key: {"spam": 0, "held": 0, "refused": 0} for key, _ in ROWS}
    acted = (
        CommentEvent.objects.filter(created_at__gte=since, kind__in=ACTED, actor=None)
        .exclude(layer="")
        .values("layer", "kind", "comment__verdict")
        .annotate(n=Count("comment", distinct=True))
    )
    for row in acted:
        outcome = "held" if row["kind"] == Kind.HELD else "spam"
        counts[row_of(row["layer"], row["comment__verdict"])][outcome] += row["n"]
    for layer, count in DefenceCount.objects.filter(day__gte=timezone.localdate(since)).values_list("layer", "count"):
        counts[layer]["refused"] += count
    return counts


def overturned(since) -> tuple[dict[str, int], dict[str, int], list[float]]:
    """(false positives per row: held or filed by it, then approved by a moderator; false negatives per
    row: published, then filed as spam by a moderator, under the layer that let it through; seconds from
    arrival to a moderator's first decision, for comments that waited in the queue), for decisions made
    since `since`. One query: the histories of the comments a moderator decided in the period."""
    decided = CommentEvent.objects.filter(created_at__gte=since, kind__in=DECISIONS).exclude(actor=None)
    events = (
        CommentEvent.objects.filter(comment__in=decided.values("comment"))
        .values_list("comment_id", "kind", "layer", "actor_id", "created_at", "comment__verdict", "comment__created_at")
        .order_by("comment_id", "created_at", "id")
    )
    false_positives: dict[str, int] = defaultdict(int)
    false_negatives: dict[str, int] = defaultdict(int)
    waits: list[float] = []
    for _, history in groupby(events, key=lambda event: event[0]):
        acted, published, machine_decided, undecided = set(), False, False, True
        for _, kind, layer, actor, at, verdict, arrived in history:
            human, recent = actor is not None, at >= since
            if kind in ACTED and layer and not human:
                acted.add(row_of(layer, verdict))
                machine_decided = machine_decided or kind != Kind.HELD
            if kind == Kind.APPROVED and not human:
                machine_decided = True
            if human and kind in DECISIONS and undecided:
                undecided = False
                if recent and not machine_decided:
                    waits.append((at - arrived).total_seconds())
            if kind == Kind.APPROVED and human and recent:
                for row in acted:
                    false_positives[row] += 1
                acted = set()  # each layer overturned once per comment
            if kind == Kind.MARKED_SPAM and human and recent and published:
                false_negatives["akismet" if verdict == Verdict.HAM else NO_LAYER] += 1
                published = False
            if kind == Kind.APPROVED:
                published = True
            elif kind in (Kind.MARKED_SPAM, Kind.TRASHED, Kind.UNAPPROVED):
                published = False
    return false_positives, false_negatives, waits


def shadow_rules(since) -> list[dict]:
    """Each rule in shadow mode (or that was, when it matched): how many comments it would have acted on,
    and how they ended, so a moderator can tell whether to turn it on."""
    matched = (
        CommentEvent.objects.filter(created_at__gte=since, kind=Kind.SHADOW)
        .exclude(rule=None)
        .values("rule", "comment__status")
        .annotate(n=Count("comment", distinct=True))
    )
    outcomes: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Status.values, 0))
    for row in matched:
        outcomes[row["rule"]][row["comment__status"]] += row["n"]
    rules = CommentRule.objects.filter(pk__in=list(outcomes)) | CommentRule.objects.filter(shadow=True)
    return [
        {"rule": rule, "matched": sum(outcomes[rule.pk].values()), **outcomes[rule.pk]}
        for rule in rules.order_by("kind", "pattern")
    ]


def build(days: int, now=None) -> dict:
    now = now or timezone.now()
    since = now - timedelta(days=days)
    counts = layer_counts(since)
    false_positives, false_negatives, waits = overturned(since)
    queue = (
        Comment.objects.pending()
        .filter(kind=Comment.Kind.COMMENT)
        .aggregate(size=Count("pk"), oldest=Min("created_at"))
    )
    rows = [
        {
            "key": key,
            "label": label,
            **counts[key],
            "stopped": sum(counts[key].values()),
            "false_positives": false_positives.get(key, 0),
            "false_negatives": false_negatives.get(key, 0),
        }
        for key, label in ROWS
    ]
    return {
        "days": days,
        "since": since,
        "rows": rows,
        "total_stopped": sum(row["stopped"] for row in rows),
        "false_negatives_no_layer": false_negatives.get(NO_LAYER, 0),
        "queue_size": queue["size"],
        "oldest_waiting": queue["oldest"],
        "decisions": len(waits),
        "median_wait": timedelta(seconds=round(statistics.median(waits))) if waits else None,
        "shadow_rules": shadow_rules(since),
    }


def report(model_admin, request):
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    days = int(request.GET["days"]) if request.GET.get("days") in {str(p) for p in PERIODS} else PERIODS[0]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Spam-defence report",
        "opts": model_admin.model._meta,
        "periods": PERIODS,
        **build(days),
    }
    return TemplateResponse(request, "admin/comments/report.html", context)
