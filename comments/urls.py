from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("reviews/<slug:slug>/comments/", views.post_comment, name="post"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/token/", views.form_token, name="form_token"),
    path("privacy/", views.privacy, name="privacy"),
]
