"""{% picture %}: a hero image, poster or photo as a responsive <picture>.

    {% load images %}
    {% picture review.hero_image alt=review.hero_alt sizes="(min-width: 50.5rem) 48rem, 100vw" priority=True %}

WebP renditions in a <source>, the JPEG/PNG renditions and the original in the <img>'s srcset, with
the stored width and height so the page does not jump as images arrive. Images load lazily unless
`eager` (above the fold) or `priority` (the page's main image: eager and fetched first). Without
renditions (an old upload, or a new one whose renditions the task worker has not made yet) it is the
original alone. No SQL and no storage call: everything comes from the row already loaded, whose record
(reviews/renditions.py) names the renditions made for the image it holds.
"""

from django import template

from reviews.renditions import recorded, stored_width

register = template.Library()


@register.inclusion_tag("includes/_picture.html")
def picture(image, alt, sizes="100vw", eager=False, priority=False, css_class=""):
    if not image:
        return {"src": None}
    width = stored_width(image)
    height = image.instance.__dict__.get(image.field.height_field) if image.field.height_field else None
    context = {
        "src": image.url,
        "alt": alt,
        "width": width,
        "height": height,
        "sizes": sizes,
        "loading": "eager" if eager or priority else "lazy",
        "priority": priority,
        "css_class": css_class,
    }
    renditions = recorded(image)
    if renditions is None:
        return context
    url = image.storage.url
    fallbacks = [(url(r.name), r.width) for r in renditions.fallbacks()]
    if renditions.source_is_webp:
        context["src"] = fallbacks[-1][0]  # browsers without WebP get the full-width fallback
    else:
        fallbacks.append((image.url, width))
    context["webp_srcset"] = ", ".join(f"{url(r.name)} {r.width}w" for r in renditions.webp())
    context["srcset"] = ", ".join(f"{src} {w}w" for src, w in fallbacks)
    return context
