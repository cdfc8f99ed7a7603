from decimal import ROUND_HALF_UP, Decimal

from django import template

from ..models import display_name

register = template.Library()
# `{{ user|display_name }}` in the admin's templates: how the site names someone with a login.
register.filter("display_name", display_name)


@register.inclusion_tag("reviews/_rating.html")
def rating_stars(rating, size="normal"):
    """Five stars filled to the rating, with the words "Rating: 4 out of 5." for screen readers."""
    if rating is None:
        return {"rating": None}
    rating = Decimal(rating).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{rating.normalize():f}"  # 4.0 → "4", 3.5 → "3.5", an average of 4.3 → "4.3"
    return {"rating": rating, "text": text, "percent": f"{rating / 5 * 100:.0f}", "size": size}


@register.filter
def in_first_row(counter) -> bool:
    """For a card's forloop.counter: the first row of cards (three) loads its images at once.
    A card outside a loop (the home page's lead, which loads first of all) has no counter."""
    return isinstance(counter, int) and counter <= 3
