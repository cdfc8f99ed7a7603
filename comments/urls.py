from django.urls import path

from . import feeds, views, views_followups

app_name = "comments"

urlpatterns = [
    path("reviews/<slug:slug>/comments/", views.post_comment, name="post"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/token/", views.form_token, name="form_token"),
    path("privacy/", views.privacy, name="privacy"),
    path("comments/follow/<str:signed>/", views_followups.confirm, name="follow_confirm"),
    path("comments/unsubscribe/<str:signed>/", views_followups.unsubscribe, name="unsubscribe"),
    # Feeds of approved comments (comments/feeds.py); /comments/feed/ stays the old blog's link (reviewblog/).
    path("feed/comments/", feeds.LatestCommentsFeed(), name="feed"),
    path("feed/comments/atom/", feeds.LatestCommentsAtom(), name="feed_atom"),
    path("reviews/<slug:slug>/comments/feed/", feeds.ReviewCommentsFeed(), name="review_feed"),
    path("reviews/<slug:slug>/comments/feed/atom/", feeds.ReviewCommentsAtom(), name="review_feed_atom"),
]
