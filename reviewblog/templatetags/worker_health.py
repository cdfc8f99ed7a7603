"""The task worker's heartbeat on the admin index: what /readyz reads, for staff (two queries)."""

from django import template

from reviewblog import health

register = template.Library()


@register.inclusion_tag("admin/reviewblog/_worker_health.html")
def worker_health():
    parts = health.worker_parts()
    worker, tasks = parts["worker"], parts["tasks"]
    return {
        "last_seen": worker.get("last_seen_seconds"),
        "oldest_waiting": tasks.get("oldest_waiting_seconds"),
        "stale": not worker["ok"],
        "late": not tasks["ok"],
        "error": worker.get("error"),
    }
