"""The comment form (comments/forms.py), posted as a reader sends it: invisible and bidi characters."""

import pytest

from comments.models import Comment

pytestmark = pytest.mark.django_db

INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad \u3164\n"


@pytest.mark.parametrize("body", [INVISIBLE, "\u200b" * 50, "\u202e\u2066\u200e", "\u00ad\u00ad"])
def test_a_comment_of_only_invisible_characters_is_refused_like_an_empty_one(review, post_comment, body):
    response = post_comment(review, body=body, author_name="Ana Typed")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Write your comment before sending it." in html
    assert 'value="Ana Typed"' in html  # what was typed stays in the form
    assert not Comment.objects.exists()


def test_a_name_of_only_invisible_characters_is_refused_like_an_empty_one(review, post_comment):
    response = post_comment(review, author_name="\u202e\u200b", body="Kept, every word.")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tell us your name (any name you like)." in html
    assert "Kept, every word.</textarea>" in html
    assert not Comment.objects.exists()


def test_bidi_controls_are_taken_out_of_the_name_and_website(review, post_comment):
    response = post_comment(
        review, author_name="\u202eAna\u2066 Reader\u200f", author_url="https://\u202eexample.com/\u2069"
    )
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.author_name == "Ana Reader"
    assert comment.author_url == "https://example.com/"


def test_bidi_overrides_are_taken_out_of_the_body_and_the_rest_kept(review, post_comment):
    body = "Loved it \u202eeht tsrif\u202c, and \u2067שלום\u2069 to the \u200bcrew\u200f. \U0001f468\u200d\U0001f469"
    assert post_comment(review, body=body).status_code == 302
    assert Comment.objects.get().body == (
        "Loved it eht tsrif, and שלום to the \u200bcrew\u200f. \U0001f468\u200d\U0001f469"
    )
