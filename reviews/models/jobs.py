"""What the background jobs (reviews/jobs.py) keep in the database beside their own rows."""

from django.db import models


class DailyChore(models.Model):
    """One row per chore and day it ran: the unique pair lets exactly one worker, of any number on any
    host, run a daily chore (the digest, the purge, pruning the task table) however often it restarts."""

    name = models.CharField(max_length=60)
    day = models.DateField()
    ran_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "day"], name="daily_chore_once_a_day")]
        ordering = ["-day", "name"]

    def __str__(self):
        return f"{self.name} on {self.day}"
