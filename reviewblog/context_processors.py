from django.conf import settings


def site(request):
    """The site's name, for titles and the masthead."""
    return {"site_name": settings.SITE_NAME}
