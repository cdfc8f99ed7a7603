// The review page may come from the shared page cache, so its comment form carries no CSRF token of its
// own. Fetch this reader's token when they start writing, and before the form is sent. Without this
// script the server answers a tokenless comment with the form again, text kept and a fresh token set.
// The same answer carries a signed "started writing at" stamp (comments/screening.py): a form sent
// sooner than anyone types is held. Without JavaScript there is no stamp, and timing plays no part.
(function () {
  "use strict";
  document.querySelectorAll("form.comment-form[data-token-url]").forEach(function (form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    var stamp = form.querySelector("input[name=form_stamp]");
    if (!field) return;
    var pending = null;

    function fetchToken() {
      if (!pending) {
        pending = fetch(form.dataset.tokenUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
          .then(function (data) {
            if (!field.value) field.value = data.token;
            if (stamp && !stamp.value) stamp.value = data.stamp;
          })
          .catch(function () { pending = null; });
      }
      return pending;
    }

    form.addEventListener("focusin", fetchToken, { once: true });
    form.addEventListener("submit", function (event) {
      if (field.value) return;
      event.preventDefault();
      // Send it either way: with a token, or (the fetch failed) without one, and the server hands it back.
      fetchToken().then(function () { form.submit(); });
    });
  });
})();
