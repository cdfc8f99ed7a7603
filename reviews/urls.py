from django.urls import path

from . import views, views_search

app_name = "reviews"

urlpatterns = [
    path("", views.home, name="home"),
    path("reviews/<slug:slug>/", views.review_detail, name="review_detail"),
    path("films/<slug:slug>/", views.film_detail, name="film_detail"),
    path("people/<slug:slug>/", views.person_detail, name="person_detail"),
    path("genres/<slug:slug>/", views.genre_detail, name="genre_detail"),
    path("franchises/<slug:slug>/", views.franchise_detail, name="franchise_detail"),
    path("search/", views_search.search_page, name="search"),
    path("archive/", views.archive_index, name="archive"),
    path("archive/<int:year>/", views.archive_period, name="archive_year"),
    path("archive/<int:year>/<int:month>/", views.archive_period, name="archive_month"),
]
