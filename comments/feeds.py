"""RSS and Atom feeds of approved comments: the site's latest, and one review's.

A fixed number of queries whatever the discussion's length: the review (for its feed), then one page
of comments with their reviews.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import feedgenerator

from reviews.feeds import atom
from reviews.models import Review

from .models import Comment

FEED_ITEMS = 30


class LatestCommentsFeed(Feed):
    feed_type = feedgenerator.Rss201rev2Feed

    def title(self, obj=None):
        return f"Comments on {settings.SITE_NAME}"

    def link(self, obj=None):
        return reverse("reviews:home")

    def description(self, obj=None):
        return f"The latest readers' comments on {settings.SITE_NAME}."

    def comments(self, obj=None):
        return Comment.objects.public().filter(review__in=Review.objects.published())

    def items(self, obj=None):
        return self.comments(obj).select_related("review").order_by("-created_at", "-id")[:FEED_ITEMS]

    def item_title(self, comment):
        return f"{comment.author_name} on “{comment.review.title}”"

    def item_description(self, comment):
        return comment.body_html

    def item_link(self, comment):
        return comment.get_absolute_url()

    def item_guid(self, comment):
        return f"{settings.SITE_URL}{comment.get_absolute_url()}"

    def item_pubdate(self, comment):
        return comment.created_at

    def item_author_name(self, comment):
        return comment.author_name


class ReviewCommentsFeed(LatestCommentsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Review.objects.published(), slug=slug)

    def title(self, obj=None):
        return f"Comments on “{obj.title}”"

    def link(self, obj=None):
        return obj.get_absolute_url() + "#comments"

    def description(self, obj=None):
        return f"Readers' comments on “{obj.title}” at {settings.SITE_NAME}."

    def comments(self, obj=None):
        return Comment.objects.public().filter(review=obj)


LatestCommentsAtom = atom(LatestCommentsFeed, feedgenerator.Atom1Feed)
ReviewCommentsAtom = atom(ReviewCommentsFeed, feedgenerator.Atom1Feed)
