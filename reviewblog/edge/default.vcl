vcl 4.1;
# The edge cache in front of gunicorn: Debian's varnish and varnish-modules (for xkey).
# It mirrors reviewblog/page_cache.py: only pages the site marks with an `xkey` header are kept, only for
# anonymous readers, and the site purges them by key after every change (EDGE_PURGE_URL, reviewblog/edge/).
# Run:  varnishd -a :6081 -f /path/to/default.vcl -s malloc,256m
# and set EDGE_PURGE_URL=http://127.0.0.1:6081/ for gunicorn and the task worker.

import std;
import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: the site's own servers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey) {
            return (synth(400, "An xkey header names what to purge"));
        }
        set req.http.x-purged = xkey.purge(req.http.xkey);
        return (synth(200, "Purged " + req.http.x-purged));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/static/") {
        return (hash);  # hashed names, cached for a year (whitenoise)
    }
    # A reader with a session (staff, a reader who sees their own pending comment), a flash message or
    # remembered comment details sees a page of their own: never a shared copy (PERSONAL_COOKIES).
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)(sessionid|messages|comment_author)=") {
        return (pass);
    }
    # Anyone else is an anonymous reader: their other cookies (csrftoken, analytics) change nothing on a
    # shared page, which carries no CSRF token (comment-form.js fetches the reader's own).
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    if (bereq.url ~ "^/static/") {
        return (deliver);  # the built-in rules: Cache-Control decides
    }
    if (beresp.status == 200 && beresp.http.xkey && !beresp.http.Set-Cookie) {
        # The site says how long: until the next scheduled review goes live, at most ten minutes
        # (a copy that a render begun before a change brought here after the change's purge).
        set beresp.ttl = std.duration(regsub(beresp.http.Surrogate-Control, "^.*max-age=([0-9]+).*$", "\1s"), 0s);
        set beresp.grace = 0s;
        unset beresp.http.Surrogate-Control;
        return (deliver);
    }
    # Anything the site did not mark (admin, search results, forms, errors) goes to the site every time.
    set beresp.uncacheable = true;
    set beresp.ttl = 120s;
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.xkey;
}
