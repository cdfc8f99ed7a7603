"""The public side: the form under a review, posting, threads, pages, defences and hostile input."""

import re

import pytest
from django.core.checks import run_checks
from django.test import Client, RequestFactory

from comments.models import Comment
from comments.views import client_ip, over_rate_limit, parse_rate
from tests.akismet_server import SPAM_AUTHOR
from tests.factories import CommentFactory, ReviewFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status


def page_of(client, review, query=""):
    response = client.get(review.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


# --- The form ---


def test_open_review_shows_the_form_with_the_akismet_notice(client, review, settings):
    settings.AKISMET_API_KEY = "a-key"
    html = page_of(client, review)
    assert "Share your opinion!" in html
    for label in [
        "Comment",
        "Name",
        "Email",
        "Website",
        "Save my name, email and website in this browser",
        "Email me once when my comment is published",
    ]:
        assert label in html
    assert "This site uses Akismet to reduce spam." in html
    assert '<a href="/privacy/">Learn how your comment data is processed</a>' in html


def test_without_an_akismet_key_the_form_does_not_claim_akismet_screens_comments(client, review, settings):
    settings.AKISMET_API_KEY = ""
    html = page_of(client, review)
    assert "Akismet" not in html
    assert '<a href="/privacy/">Learn how your comment data is processed</a>' in html


def test_privacy_page_says_what_is_kept_and_for_how_long(client, settings):
    settings.COMMENT_PERSONAL_DATA_DAYS = 45
    html = client.get("/privacy/").content.decode()
    assert "How your comment data is processed" in html
    assert "erased after <strong>45 days</strong>" in html
    assert "deleted after <strong>15 days</strong>" in html
    assert "Akismet" in html


def test_closed_review_shows_no_form_and_refuses_a_post(client, post_comment):
    review = ReviewFactory(comments_open=False)
    CommentFactory(review=review, body="From before the doors closed.")
    html = page_of(client, review)
    assert "Share your opinion!" not in html and "Comments are closed on this review." in html
    assert "From before the doors closed." in html
    response = post_comment(review)
    assert response.status_code == 403
    assert "does not take new comments any more" in response.content.decode()
    assert Comment.objects.count() == 1


def test_a_draft_review_takes_no_comments(post_comment):
    draft = ReviewFactory(status="draft")
    assert post_comment(draft).status_code == 404


def test_missing_csrf_token_is_refused(review):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        f"/reviews/{review.slug}/comments/", {"author_name": "A", "author_email": "a@b.co", "body": "Hi"}
    )
    assert response.status_code == 403
    assert Comment.objects.count() == 0


# --- Posting: POST/redirect/GET, awaiting moderation, only the author sees it ---


def test_posting_redirects_back_and_only_the_author_sees_the_pending_comment(client, review, post_comment):
    response = post_comment(review, follow=True)
    comment = Comment.objects.get()
    assert response.redirect_chain[-1][0] == f"/reviews/{review.slug}/#comment-{comment.pk}"
    html = response.content.decode()
    assert "Your comment is awaiting moderation" in html
    assert "The staircase fight is the best of the year." in html
    assert (comment.status, comment.ip_address, comment.user_agent) == (
        Status.PENDING,
        "198.51.100.4",
        "Mozilla/5.0 Test",
    )
    assert "The staircase fight" not in page_of(Client(), review)


def test_a_comment_survives_akismet_being_down(akismet_server, client, review, post_comment):
    akismet_server.stop()
    response = post_comment(review, follow=True)
    assert "Your comment is awaiting moderation" in response.content.decode()
    assert Comment.objects.get().verdict == Comment.Verdict.ERROR


@pytest.mark.django_db(transaction=True)  # the Akismet check runs on commit, before the redirect, as in production
def test_a_returning_reader_is_published_at_once(akismet_server, client, review, post_comment):
    post_comment(review, body="My first words here.")
    Comment.objects.update(status=Status.APPROVED)  # a moderator approved it
    response = post_comment(review, follow=True)
    html = response.content.decode()
    assert "Your comment is published" in html
    assert "The staircase fight is the best of the year." in page_of(Client(), review)


@pytest.mark.django_db(transaction=True)
def test_typing_a_regulars_email_in_another_browser_is_no_free_pass(akismet_server, client, review, post_comment):
    post_comment(review, body="My first words here.")
    Comment.objects.update(status=Status.APPROVED)
    response = post_comment(review, client=Client(), follow=True)  # someone else, the same email
    assert "Your comment is awaiting moderation" in response.content.decode()
    assert Comment.objects.latest("id").status == Status.PENDING


def test_a_form_with_errors_keeps_everything_typed(client, review, post_comment):
    response = post_comment(
        review,
        author_name="",
        author_email="not-an-email",
        author_url="ftp://x.example",
        body="Keep every word of this, please.",
        notify_on_approval="on",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your comment was not sent yet." in html
    assert "Tell us your name (any name you like)." in html
    assert "That does not look like an email address" in html
    assert "Enter a web address starting with https://, or leave it empty." in html
    assert "Keep every word of this, please.</textarea>" in html
    assert 'value="not-an-email"' in html
    assert re.search(r'name="notify_on_approval"[^>]*checked', html)
    assert re.search(r'<textarea[^>]*aria-invalid|name="author_name"[^>]*aria-invalid="true"', html)
    assert Comment.objects.count() == 0


def test_an_empty_comment_is_refused_with_a_message(review, post_comment):
    html = post_comment(review, body="   ").content.decode()
    assert "Write your comment before sending it." in html


def test_size_limit(review, post_comment, settings):
    settings.COMMENT_MAX_LENGTH = 100
    html = post_comment(review, body="x" * 150).content.decode()
    assert "Keep your comment under 100 characters" in html
    assert Comment.objects.count() == 0


def test_very_long_non_ascii_input_is_kept_whole(review, post_comment):
    body = "Ça m'a plu — 映画は素晴らしい 🎬 " * 150
    post_comment(review, author_name="Zoë Ångström-Ñúñez", body=body)
    comment = Comment.objects.get()
    assert comment.body == body.strip() and comment.author_name == "Zoë Ångström-Ñúñez"


# --- Nothing a reader writes becomes markup ---


def test_hostile_name_body_and_website_cannot_inject(client, review, post_comment):
    CommentFactory(review=review, author_email="evil@example.com")  # known, so published at once when checked
    post_comment(
        review,
        author_name='<script>alert("name")</script>',
        author_email="evil@example.com",
        author_url='https://evil.example/"onmouseover="alert(1)',
        body='<img src=x onerror=alert(2)> <a href="javascript:alert(3)">click</a> visit https://ok.example/page',
    )
    comment = Comment.objects.latest("id")
    Comment.objects.filter(pk=comment.pk).update(status=Status.APPROVED)
    html = page_of(Client(), review)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert '<a href="javascript:' not in html and '"onmouseover=' not in html
    assert '&lt;a href="javascript:alert(3)"&gt;click&lt;/a&gt;' in html  # shown as the text it is
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in html
    assert '<a href="https://ok.example/page" rel="nofollow ugc noopener">https://ok.example/page</a>' in html


def test_a_javascript_website_is_refused(review, post_comment):
    html = post_comment(review, author_url="javascript:alert(1)").content.decode()
    assert "Enter a web address starting with https://, or leave it empty." in html
    assert Comment.objects.count() == 0


def test_a_readers_website_links_their_name_with_ugc_rel(client, review):
    CommentFactory(review=review, author_name="Mo", author_url="https://mo.example/")
    assert '<a href="https://mo.example/" rel="nofollow ugc noopener">Mo</a>' in page_of(client, review)


# --- Defences before Akismet ---


def test_a_filled_honeypot_is_filed_as_spam_without_asking_akismet(akismet_server, review, post_comment):
    response = post_comment(review, homepage="http://bot.example", follow=True)
    assert "Your comment is awaiting moderation" in response.content.decode()  # a bot learns nothing
    comment = Comment.objects.get()
    assert comment.status == Status.SPAM
    assert comment.why_held() == ["the hidden honeypot field was filled in (a bot)"]
    assert akismet_server.calls("comment-check") == []


def test_the_rate_limit_keeps_the_text_and_says_why(review, post_comment, settings):
    settings.COMMENT_RATE_LIMIT = "2/m"
    assert post_comment(review, body="one").status_code == 302
    assert post_comment(review, body="two").status_code == 302
    response = post_comment(review, body="three, typed with care")
    assert response.status_code == 429
    html = response.content.decode()
    assert "You are sending comments faster than we allow" in html
    assert "three, typed with care</textarea>" in html
    assert Comment.objects.count() == 2


def test_the_rate_limit_is_per_address(review, post_comment, settings, client):
    settings.COMMENT_RATE_LIMIT = "1/m"
    assert post_comment(review).status_code == 302
    response = client.post(
        f"/reviews/{review.slug}/comments/",
        {"author_name": "B", "author_email": "b@x.org", "body": "Other reader"},
        REMOTE_ADDR="192.0.2.99",
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "address_of, passed",
    [
        (lambda n: f"2001:db8:ab00:7::{n + 1:x}", 5),  # any address of one /64: one subscriber's line
        (lambda n: f"2001:db8:ab00:{n % 256:x}::1", 10),  # a /64 after another of one /56: its larger limit
        (lambda n: f"2001:db8:{n:x}::1", 250),  # 250 households
        (lambda n: f"::ffff:192.0.2.{n % 2}", 10),  # IPv4 written as IPv6 is still two IPv4 readers
    ],
    ids=["one /64", "one /56", "many /56", "mapped IPv4"],
)
def test_a_client_rotating_addresses_in_its_network_meets_the_rate_limit(settings, address_of, passed):
    settings.COMMENT_RATE_LIMIT, settings.COMMENT_NETWORK_RATE_LIMIT = "5/m", "10/m"
    assert sum(not over_rate_limit(address_of(n)) for n in range(250)) == passed


def test_comments_from_every_64_of_one_56_are_refused_past_its_limit(review, client, settings):
    settings.COMMENT_RATE_LIMIT, settings.COMMENT_NETWORK_RATE_LIMIT = "5/m", "10/m"
    statuses = [
        client.post(
            f"/reviews/{review.slug}/comments/",
            {"author_name": "R", "author_email": f"r{n}@x.org", "body": f"Hello number {n}"},
            REMOTE_ADDR=f"2001:db8:ab00:{n:x}::{n + 1:x}",
            HTTP_USER_AGENT="Mozilla/5.0 Test",
        ).status_code
        for n in range(30)
    ]
    assert statuses == [302] * 10 + [429] * 20
    assert Comment.objects.count() == 10


# --- Replies and threads ---


def test_replies_are_shown_threaded_with_a_reply_link(client, review):
    top = CommentFactory(review=review, author_name="Top")
    reply = CommentFactory(review=review, parent=top, author_name="Reply")
    CommentFactory(review=review, parent=reply, author_name="Deepest")
    html = page_of(client, review)
    top_at, reply_at, deep_at = (html.index(f">{name}<") for name in ("Top", "Reply", "Deepest"))
    assert top_at < reply_at < deep_at
    assert html.count('class="comment-replies"') == 2
    assert f"replytocom={top.pk}#respond" in html and f"replytocom={reply.pk}#respond" in html
    assert html.count("replytocom=") == 2  # the third level is as deep as it goes


def test_reply_links_ask_search_engines_not_to_follow_them(client, review):
    top = CommentFactory(review=review, author_name="Top")
    html = page_of(client, review)
    link = re.search(r'<a [^>]*href="[^"]*replytocom=' + str(top.pk) + r'#respond"[^>]*>', html).group()
    assert 'rel="nofollow"' in link  # each is the same page again, with the form replying


def test_the_reply_link_turns_the_form_into_a_reply(client, review):
    top = CommentFactory(review=review, author_name="Top")
    html = page_of(client, review, f"?replytocom={top.pk}")
    assert "Reply to Top" in html and "Cancel reply" in html
    assert f'name="parent" value="{top.pk}"' in html


def test_a_reply_is_posted_under_its_parent(client, review, post_comment):
    top = CommentFactory(review=review, author_name="Top")
    post_comment(review, parent=top.pk, body="I agree with you.")
    reply = Comment.objects.latest("id")
    assert (reply.parent, reply.root, reply.depth) == (top, top, 1)


@pytest.mark.parametrize("target", ["pending", "other review", "too deep", "missing"])
def test_replies_only_to_approved_comments_of_the_same_review(review, post_comment, target):
    if target == "pending":
        parent_id = CommentFactory(review=review, status=Status.PENDING).pk
    elif target == "other review":
        parent_id = CommentFactory().pk
    elif target == "too deep":
        level1 = CommentFactory(review=review)
        parent_id = CommentFactory(review=review, parent=CommentFactory(review=review, parent=level1)).pk
    else:
        parent_id = 999999
    before = Comment.objects.count()
    response = post_comment(review, parent=parent_id, body="A reply that must not land.")
    assert response.status_code == 400
    html = response.content.decode()
    assert ("not on this review" in html) or ("as deep as it goes" in html)
    assert "A reply that must not land.</textarea>" in html
    assert Comment.objects.count() == before


# --- Remembering the reader ---


def test_save_my_details_fills_the_form_next_time(client, review, post_comment):
    post_comment(review, remember="on", author_url="https://ana.example/")
    html = page_of(client, review)
    assert 'value="Ana Reader"' in html and 'value="ana@example.com"' in html
    assert 'value="https://ana.example/"' in html
    post_comment(review, body="Forget me now.")
    html = page_of(client, review)
    assert 'value="Ana Reader"' not in html


def test_details_are_not_saved_without_the_opt_in(client, review, post_comment):
    response = post_comment(review)
    assert "comment_author" not in response.cookies or response.cookies["comment_author"].value == ""


# --- Long discussions ---


def test_long_discussions_paginate_by_thread_and_permalinks_find_the_page(client, review, settings):
    settings.COMMENT_THREADS_PER_PAGE = 5
    threads = [CommentFactory(review=review, author_name=f"Thread {i}") for i in range(12)]
    late_reply = CommentFactory(review=review, parent=threads[7], author_name="Late reply")
    first = page_of(client, review)
    assert "Thread 0<" in first and "Thread 5<" not in first and "Page 1 of 3" in first
    second = page_of(client, review, "?cpage=2")
    assert "Thread 5<" in second and "Late reply" in second
    response = client.get(late_reply.get_absolute_url())
    assert response["Location"] == f"/reviews/{review.slug}/?cpage=2#comment-{late_reply.pk}"
    assert client.get(threads[0].get_absolute_url())["Location"] == f"/reviews/{review.slug}/#comment-{threads[0].pk}"


def test_permalinks_of_hidden_comments_are_not_found(client, review):
    assert client.get(CommentFactory(review=review, status=Status.SPAM).get_absolute_url()).status_code == 404
    assert client.get(CommentFactory(review=review, status=Status.PENDING).get_absolute_url()).status_code == 404


@pytest.mark.parametrize("threads, queries", [(0, 7), (100, 9)])
def test_review_page_queries_do_not_grow_with_comments(
    client, review, settings, django_assert_num_queries, threads, queries
):
    # 1 to see whether a shared or the reader's copy is current (reviewblog/page_cache.py); 5 for the review,
    # film, credits and mentions; 1 counting comments and threads; with comments, 1 for the page of threads
    # and 1 for all their replies, however many there are.
    settings.COMMENT_THREADS_PER_PAGE = 1000  # every comment on one page: the worst case
    for i in range(threads):
        top = CommentFactory(review=review, author_name=f"Top {i}")
        CommentFactory(review=review, parent=CommentFactory(review=review, parent=top))
    with django_assert_num_queries(queries):
        html = page_of(client, review)
    assert html.count('<li class="comment"') == threads * 3
    with django_assert_num_queries(1):  # the next reader: the same page, from the page cache
        assert page_of(client, review) == html


def test_spam_and_pending_comments_never_show_to_the_public(client, review):
    CommentFactory(review=review, status=Status.SPAM, author_name=SPAM_AUTHOR, body="Buy pills")
    CommentFactory(review=review, status=Status.PENDING, body="Waiting quietly")
    CommentFactory(review=review, status=Status.TRASH, body="Binned")
    html = page_of(client, review)
    assert "Buy pills" not in html and "Waiting quietly" not in html and "Binned" not in html


def test_the_same_comment_twice_is_refused_with_a_message(review, post_comment):
    assert post_comment(review).status_code == 302
    response = post_comment(review)
    assert response.status_code == 400
    assert "You have already posted exactly this comment here." in response.content.decode()
    assert Comment.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # the check runs on commit, before the redirect, as in production
def test_a_reader_whose_comment_is_filed_as_spam_lands_on_the_review(akismet_server, client, review, post_comment):
    response = post_comment(review, author_name=SPAM_AUTHOR, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/reviews/{review.slug}/#comments"
    assert "Your comment is awaiting moderation" in response.content.decode()
    assert Comment.objects.get().status == Status.SPAM


def test_a_reply_to_a_comment_removed_meanwhile_can_be_sent_as_a_new_comment(review, post_comment):
    parent = CommentFactory(review=review, status=Status.TRASH)
    response = post_comment(review, parent=parent.pk, body="My reply, which must not get stuck.")
    html = response.content.decode()
    assert response.status_code == 400
    assert "The comment you replied to is not on this review any more." in html
    assert 'name="parent" id="id_parent"' in html and f'value="{parent.pk}"' not in html
    # The reader sends the form again, as it came back.
    assert post_comment(review, parent="", body="My reply, which must not get stuck.").status_code == 302
    assert Comment.objects.get(body="My reply, which must not get stuck.").parent is None


def test_approved_replies_of_a_removed_comment_stay_under_a_placeholder(client, review):
    removed = CommentFactory(review=review, body="Something regrettable")
    CommentFactory(review=review, parent=removed, body="A fair answer")
    Comment.objects.filter(pk=removed.pk).update(status=Status.TRASH)
    html = page_of(client, review)
    assert "This comment was removed." in html and "A fair answer" in html
    assert "Something regrettable" not in html
    assert "1 comment<" in html


@pytest.mark.parametrize(
    "proxies, forwarded, seen",
    [(0, "1.2.3.4", "127.0.0.1"), (1, "1.2.3.4", "1.2.3.4"), (1, "6.6.6.6, 1.2.3.4", "1.2.3.4"), (1, "junk", "")],
)
def test_the_readers_address_behind_our_proxy(settings, proxies, forwarded, seen):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == seen


def test_behind_a_proxy_the_rate_limit_counts_each_reader(review, post_comment, settings, client):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.COMMENT_RATE_LIMIT = "1/m"
    for n, reader in enumerate(["192.0.2.1", "192.0.2.2"]):
        data = {"author_name": "R", "author_email": f"r{n}@x.org", "body": f"Hello {n}"}
        response = client.post(
            f"/reviews/{review.slug}/comments/", data, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=reader
        )
        assert response.status_code == 302
    assert Comment.objects.get(body="Hello 1").ip_address == "192.0.2.2"


@pytest.mark.parametrize("rate, parsed", [("5/m", (5, 60)), ("20/hour", (20, 3600)), ("10/5m", (10, 300))])
def test_rate_limits_read_as_people_write_them(rate, parsed):
    assert parse_rate(rate) == parsed


def test_a_mistyped_rate_limit_fails_the_system_check(settings):
    settings.COMMENT_RATE_LIMIT = "five a minute"
    settings.COMMENT_NETWORK_RATE_LIMIT = "lots"
    errors = [e.msg for e in run_checks() if e.id == "comments.E001"]
    assert errors == [
        "COMMENT_RATE_LIMIT: 'five a minute' is not a rate like 5/m, 20/h or 10/5m.",
        "COMMENT_NETWORK_RATE_LIMIT: 'lots' is not a rate like 5/m, 20/h or 10/5m.",
    ]


def test_the_form_address_sends_a_reload_back_to_the_review(client, review):
    """After a failed comment the address bar shows the form's address; reloading it (a GET) goes to the review."""
    response = client.get(f"{review.get_absolute_url()}comments/")
    assert response.status_code == 302
    assert response["Location"] == f"{review.get_absolute_url()}#respond"
    assert client.head(f"{review.get_absolute_url()}comments/").status_code == 302
    assert client.get("/reviews/no-such-review/comments/").status_code == 404


def test_privacy_page_and_footer_give_the_contact_address(client, settings):
    settings.SITE_CONTACT_EMAIL = "letters@films.example"
    html = client.get("/privacy/").content.decode()
    assert html.count('<a href="mailto:letters@films.example">') == 2  # "write to us at …" and the footer
    assert 'href="mailto:letters@films.example"' in client.get("/").content.decode()
