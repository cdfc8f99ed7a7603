"""Count each review's approved comments for its card (Review.comment_count, kept in step from now on)."""

from django.db import migrations
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count(apps, schema_editor):
    Review = apps.get_model("reviews", "Review")
    Comment = apps.get_model("comments", "Comment")
    approved = (
        Comment.objects.filter(review=OuterRef("pk"), status="approved", kind="comment")
        .order_by()
        .values("review")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Review.objects.update(comment_count=Coalesce(Subquery(approved), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0005_desk_history"),
        ("reviews", "0006_review_comment_count"),
    ]

    operations = [migrations.RunPython(count, migrations.RunPython.noop)]
