from django.urls import path
from django.views.generic import RedirectView

from . import views, views_search, views_share
from .feeds import VIEWS as FEEDS

app_name = "reviews"

urlpatterns = [
    path("", views.home, name="home"),
    path("reviews/<slug:slug>/", views.review_detail, name="review_detail"),
    path("reviews/<slug:slug>/share.jpg", views_share.review_card, name="review_share_card"),
    path("share.jpg", views_share.site_card, name="site_share_card"),
    # Earlier releases drew PNG cards at share.png: pages already shared on social sites still point there.
    path(
        "reviews/<slug:slug>/share.png", RedirectView.as_view(pattern_name="reviews:review_share_card", permanent=True)
    ),
    path("share.png", RedirectView.as_view(pattern_name="reviews:site_share_card", permanent=True)),
    path("films/<slug:slug>/", views.film_detail, name="film_detail"),
    path("people/<slug:slug>/", views.person_detail, name="person_detail"),
    path("authors/<slug:slug>/", views.author_detail, name="author_detail"),
    path("genres/<slug:slug>/", views.genre_detail, name="genre_detail"),
    path("franchises/<slug:slug>/", views.franchise_detail, name="franchise_detail"),
    path("search/", views_search.search_page, name="search"),
    path("archive/", views.archive_index, name="archive"),
    path("archive/<int:year>/", views.archive_period, name="archive_year"),
    path("archive/<int:year>/<int:month>/", views.archive_period, name="archive_month"),
    # RSS 2.0 and Atom feeds of published reviews (reviews/feeds.py)
    path("feed/", FEEDS["feed"], name="feed"),
    path("feed/atom/", FEEDS["feed_atom"], name="feed_atom"),
    path("films/<slug:slug>/feed/", FEEDS["film_feed"], name="film_feed"),
    path("films/<slug:slug>/feed/atom/", FEEDS["film_feed_atom"], name="film_feed_atom"),
    path("people/<slug:slug>/feed/", FEEDS["person_feed"], name="person_feed"),
    path("people/<slug:slug>/feed/atom/", FEEDS["person_feed_atom"], name="person_feed_atom"),
    path("genres/<slug:slug>/feed/", FEEDS["genre_feed"], name="genre_feed"),
    path("genres/<slug:slug>/feed/atom/", FEEDS["genre_feed_atom"], name="genre_feed_atom"),
]
