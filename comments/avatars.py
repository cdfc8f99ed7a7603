"""Readers' pictures beside their comments, made here from a keyed hash of their email.

No request leaves for any third party and the picture gives nothing away: the hash is keyed with the
site's SECRET_KEY, so nobody can match it to an address, unlike Gravatar's plain hash. Gravatar is
used only when COMMENT_GRAVATAR is on.
"""

import hashlib
import hmac
from base64 import b64encode
from urllib.parse import urlencode

from django.conf import settings

SIZE = 5  # cells a side; the left half is mirrored, as identicons are


def _digest(email: str) -> bytes:
    key = hashlib.sha256(b"comments.avatar" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).digest()


def identicon_svg(email: str) -> str:
    digest = _digest(email)
    hue = int.from_bytes(digest[:2], "big") % 360
    bits = int.from_bytes(digest[2:6], "big")
    cells = []
    for row in range(SIZE):
        for column in range((SIZE + 1) // 2):
            if bits >> (row * 3 + column) & 1:
                for x in {column, SIZE - 1 - column}:
                    cells.append(f'<rect x="{x}" y="{row}" width="1" height="1"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="-0.5 -0.5 6 6">'
        f'<rect x="-0.5" y="-0.5" width="6" height="6" fill="hsl({hue} 30% 94%)"/>'
        f'<g fill="hsl({hue} 55% 45%)">{"".join(cells)}</g></svg>'
    )


def avatar_url(email: str, size: int = 48) -> str:
    """A data: URL of the reader's identicon, or their Gravatar when COMMENT_GRAVATAR is on."""
    if settings.COMMENT_GRAVATAR and email:
        plain = hashlib.sha256(email.strip().lower().encode()).hexdigest()
        return f"https://www.gravatar.com/avatar/{plain}?" + urlencode({"s": size, "d": "identicon"})
    return "data:image/svg+xml;base64," + b64encode(identicon_svg(email or "").encode()).decode()
