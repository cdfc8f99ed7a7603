import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewblog.settings")
application = get_wsgi_application()

from reviewblog.static_files import check_static_files  # noqa: E402 (needs the settings loaded above)

check_static_files()  # DEBUG off and no collectstatic: stop here and say what to run
