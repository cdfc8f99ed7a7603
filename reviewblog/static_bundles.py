"""One stylesheet for the public pages, joined from files that are also used apart.

site.css styles the site; article.css the article's text and its faces, which the admin's editor
preview loads on its own (what an author previews is what readers get). A page linking both waits for
two render-blocking requests, so public pages link `css/public.css`: the two joined, in that order.
This finder makes it: collectstatic copies it as any other file (whitenoise's manifest storage hashes,
compresses and rewrites its url()s; both sources sit in css/, so their relative urls still hold), and
while developing whitenoise asks the finders on every request, so it is joined afresh from the sources.
"""

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import FileSystemStorage

BUNDLES = {"css/public.css": ["css/site.css", "css/article.css"]}


class BundleFinder(finders.BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Outside the source tree (nothing generated to commit or ignore), one folder per set of sources.
        sources = hashlib.sha256(repr(settings.STATICFILES_DIRS).encode()).hexdigest()[:12]
        self.storage = FileSystemStorage(location=Path(tempfile.gettempdir()) / f"reviewblog-bundles-{sources}")

    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path not in BUNDLES:
            return [] if find_all else None
        joined = self._join(path)
        return [joined] if find_all else joined

    def list(self, ignore_patterns):
        for path in BUNDLES:
            self._join(path)
            yield path, self.storage

    def _join(self, path: str) -> str:
        """Write the bundle from its sources as they are now (a whole file at once: another process may be
        serving it) and return where it is."""
        parts = []
        for source in BUNDLES[path]:
            found = finders.find(source)
            if not found:
                raise FileNotFoundError(f"{path} joins {source}, which no finder has")
            parts.append(f"/* {source} */\n{Path(found).read_text(encoding='utf-8')}")
        target = Path(self.storage.path(path))
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=target.parent, delete=False) as out:
            out.write("\n".join(parts))
        os.replace(out.name, target)
        return str(target)
