from django.urls import path

from . import views

app_name = "newsletter"
urlpatterns = [
    path("newsletter/", views.subscribe, name="subscribe"),
    path("newsletter/thanks/", views.thanks, name="thanks"),
    path("newsletter/confirm/<str:signed>/", views.confirm, name="confirm"),
    path("newsletter/leave/<str:signed>/", views.unsubscribe, name="unsubscribe"),
]
