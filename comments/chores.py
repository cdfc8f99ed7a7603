"""The comments app's share of the task worker's round of chores (reviewblog's `run_worker`, every
COMMENT_CHORES_SECONDS): what no task covered, or what runs once a day."""

from . import followups, moderation, privacy


def run_chores() -> int:
    """Re-checks and reports that fell due, first checks that never finished, emails about a published
    comment whose task was lost, the daily purge and the moderators' daily digest; returns how many
    comments it checked."""
    checked = moderation.run_due_checks()
    followups.send_overdue()  # emails whose task was lost
    privacy.purge_if_due()
    followups.digest_if_due()
    return checked
