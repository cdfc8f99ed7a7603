from django.conf import settings


def site(request):
    """The site's name and address, for titles, the masthead and the footer."""
    return {"site_name": settings.SITE_NAME, "site_contact_email": settings.SITE_CONTACT_EMAIL}
