from django.conf import settings

from reviews.page_cache import code_version


def site(request):
    """The site's name, for titles and the masthead; what `{% cache %}` fragments are keyed and kept by."""
    return {
        "site_name": settings.SITE_NAME,
        "site_contact_email": settings.SITE_CONTACT_EMAIL,
        "code_version": code_version(),  # a release with new templates makes new fragments
        "fragment_seconds": settings.PAGE_CACHE_SECONDS,  # 0 keeps nothing
    }
