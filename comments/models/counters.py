"""Refusals that leave no comment behind (the rate limit, the size limit), counted per layer and day for
the spam-defence report (comments/admin_report.py); everything else the layers do is in CommentEvent."""

from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.utils import timezone


class DefenceCount(models.Model):
    layer = models.CharField(max_length=12)  # CommentEvent.Layer
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "layer"]
        constraints = [
            models.UniqueConstraint(fields=["layer", "day"], name="defencecount_one_per_day"),
            models.CheckConstraint(condition=Q(layer__in=["rate_limit", "size"]), name="defencecount_layer_valid"),
        ]

    def __str__(self):
        return f"{self.layer} on {self.day}: {self.count}"

    @classmethod
    def bump(cls, layer: str) -> None:
        """Add one to today's count, atomically (two requests at once both count)."""
        day = timezone.localdate()
        if cls.objects.filter(layer=layer, day=day).update(count=F("count") + 1):
            return
        try:
            with transaction.atomic():
                cls.objects.create(layer=layer, day=day, count=1)
        except IntegrityError:  # another request made today's row first
            cls.objects.filter(layer=layer, day=day).update(count=F("count") + 1)
