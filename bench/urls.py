"""The site's pages plus /bench/hello/: the yardstick every page is measured against."""

from django.http import HttpResponse
from django.urls import path

from reviewblog.urls import urlpatterns as site_urlpatterns


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), *site_urlpatterns]
