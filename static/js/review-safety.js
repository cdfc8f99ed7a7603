/* The review editor's safety net (the server side is reviews/admin_editing.py):
   - a copy of the form in this browser (localStorage) on every change, offered back after a crash;
   - an autosave to the server every REVIEW_AUTOSAVE_SECONDS while the author types, and on leaving;
   - a heartbeat that keeps the edit lock and says who else has the review open, or took it over;
   - before a save, a check that the login and the CSRF token still hold, with a login in place;
   - a warning before leaving with unsaved changes.
   The page's settings are in <script id="review-editing-config">; without them (the restore page)
   only the warning runs. */
(function () {
  "use strict";
  var NOT_KEPT = ["csrfmiddlewaretoken", "loaded_version", "_save", "_continue", "_addanother", "_preview"];
  var config = {}, form, dirty = false, submitting = false, passThrough = false;
  var lastAutosaved = null, localTimer = null, heldLock = false, loggedOut = false;

  function $(selector, root) { return (root || document).querySelector(selector); }

  function clock(date) {
    return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
  }

  /* The form's fields as the browser would send them, {name: [values]}, without files or tokens. */
  function serialize() {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (NOT_KEPT.indexOf(name) >= 0 || typeof value !== "string") return;
      (data[name] = data[name] || []).push(value.replace(/\r\n/g, "\n"));
    });
    return data;
  }

  function canonical(data) {
    return JSON.stringify(Object.keys(data || {}).sort().map(function (k) { return [k, data[k]]; }));
  }

  function same(a, b) { return canonical(a) === canonical(b); }

  /* Put a kept copy back into the form: the review's own fields, not the scorecard's rows. */
  function fill(data) {
    Array.prototype.forEach.call(form.elements, function (el) {
      var name = el.name, type = (el.type || "").toLowerCase();
      if (!name || NOT_KEPT.indexOf(name) >= 0 || type === "file" || type === "hidden" || type === "submit") return;
      if (el.closest(".inline-group")) return;
      var values = data[name];
      if (type === "checkbox" || type === "radio") {
        el.checked = !!values && values.indexOf(el.value || "on") >= 0;
      } else if (!values) {
        return;
      } else if (el.tagName === "SELECT") {
        var known = Array.prototype.some.call(el.options, function (o) { return values.indexOf(o.value) >= 0; });
        if (!known) return; // an autocomplete offers only the chosen film: leave it as it is
        Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) >= 0; });
      } else {
        el.value = values[0];
      }
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
    changed();
  }

  function csrfInput() { return form.querySelector("input[name=csrfmiddlewaretoken]"); }

  function post(url, data, extra) {
    var body = new FormData();
    Object.keys(data || {}).forEach(function (name) {
      data[name].forEach(function (value) { body.append(name, value); });
    });
    body.append("csrfmiddlewaretoken", csrfInput().value);
    Object.keys(extra || {}).forEach(function (name) { body.append(name, extra[name]); });
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" },
    }).then(function (response) {
      return response.json().catch(function () { return { error: "unreadable" }; }).then(function (json) {
        json.status = response.status;
        if (response.status === 403 && (json.error === "logged_out" || json.error === "unreadable")) showLoggedOut();
        return json;
      });
    });
  }

  function setStatus(text) {
    document.querySelectorAll(".autosave-status").forEach(function (box) { box.textContent = text; });
  }

  // --- The copy kept in this browser ---

  function keepLocal() {
    if (!config.storageKey) return;
    try {
      localStorage.setItem(config.storageKey, JSON.stringify({
        savedAt: Date.now(), version: config.version || null, submitted: submitting, data: serialize(),
      }));
    } catch (e) { /* storage full or refused: the server's autosave still runs */ }
  }

  function offerLocalCopy(initial) {
    var copy;
    try { copy = JSON.parse(localStorage.getItem(config.storageKey) || "null"); } catch (e) { copy = null; }
    if (!copy || !copy.data) return;
    var savedSince = "lastAdded" in config && copy.submitted && config.lastAdded && Date.parse(config.lastAdded) >= copy.savedAt;
    if (same(copy.data, initial) || savedSince || (config.autosaveData && same(copy.data, config.autosaveData))) {
      localStorage.removeItem(config.storageKey);
      return;
    }
    var box = $("#local-copy-offer");
    if (!box) return;
    box.innerHTML = "";
    var text = document.createElement("p");
    text.innerHTML = "<strong></strong> It has changes this form does not: the page was closed, the browser " +
      "stopped or the login ran out before they were saved.";
    text.firstChild.textContent = "This browser kept a copy of this form from " + clock(new Date(copy.savedAt)) + ".";
    var actions = document.createElement("p");
    actions.className = "editing-actions";
    actions.appendChild(button("Restore the copy", "default", function () {
      fill(copy.data); box.hidden = true;
    }));
    actions.appendChild(document.createTextNode(" "));
    actions.appendChild(button("Discard it", "", function () {
      localStorage.removeItem(config.storageKey); box.hidden = true;
    }));
    box.appendChild(text);
    box.appendChild(actions);
    box.hidden = false;
  }

  function button(label, kind, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button " + kind;
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  // --- Autosave to the server ---

  function autosave() {
    if (!config.autosaveUrl || !dirty || loggedOut || submitting) return;  // the save itself keeps the text
    var data = serialize();
    if (lastAutosaved && same(data, lastAutosaved)) return;
    post(config.autosaveUrl, data, { loaded_version: form.elements.loaded_version ? form.elements.loaded_version.value : "" })
      .then(function (json) {
        if (json.label) {
          lastAutosaved = data;
          setStatus(json.label);
          showLock(json.lock);
        }
      })
      .catch(function () { setStatus("Could not save a draft: kept in this browser."); });
  }

  function beacon(url, data) {
    if (!url || !navigator.sendBeacon) return;
    var body = new FormData();
    Object.keys(data).forEach(function (name) { data[name].forEach(function (v) { body.append(name, v); }); });
    body.append("csrfmiddlewaretoken", csrfInput().value);
    navigator.sendBeacon(url, body);
  }

  function onLeave() {
    if (submitting) return;
    var data = serialize();
    if (dirty && config.autosaveUrl && !(lastAutosaved && same(data, lastAutosaved))) {
      data.loaded_version = [form.elements.loaded_version ? form.elements.loaded_version.value : ""];
      beacon(config.autosaveUrl, data);
    }
    beacon(config.releaseUrl, {});
  }

  // --- The edit lock ---

  function showLock(lock) {
    if (!lock) return;
    var box = $("#edit-lock");
    if (lock.mine) {
      heldLock = true;
      if (box) box.hidden = true;
      return;
    }
    if (!lock.other || !box) { if (box) box.hidden = true; return; }
    var takenFromMe = lock.taken_from_you || heldLock;
    heldLock = false;
    box.innerHTML = "";
    var text = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = takenFromMe
      ? lock.other + " took over editing this review at " + lock.since_label + "."
      : lock.other + " has been editing this review since " + lock.since_label + ".";
    text.appendChild(strong);
    text.appendChild(document.createTextNode(takenFromMe
      ? " Your text is still here. If you save, they are shown your changes before they can save theirs."
      : " If you both save, the second save is refused and shown the first one's changes."));
    box.appendChild(text);
    box.appendChild(button("Take over", "", takeOver));
    box.hidden = false;
  }

  function takeOver() {
    post(config.takeOverUrl, {}).then(function (json) { showLock(json.lock); });
  }

  function heartbeat() {
    if (!config.heartbeatUrl || loggedOut) return;
    post(config.heartbeatUrl, {}).then(function (json) {
      if (json.csrf_token) csrfInput().value = json.csrf_token;
      showLock(json.lock);
      var loaded = form.elements.loaded_version;
      if (json.version && loaded && loaded.value && json.version !== loaded.value) {
        setStatus("Someone saved this review after you opened it: saving will show you their changes to merge.");
      }
    }).catch(function () { /* offline for a moment: the next beat tries again */ });
  }

  // --- Logged out: log in again in place ---

  function showLoggedOut() {
    loggedOut = true;
    setStatus("You have been logged out: your text is kept in this browser. Save to log in again.");
  }

  function loginDialog(then) {
    var dialog = $("#review-login");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "review-login";
      dialog.className = "review-login";
      dialog.innerHTML =
        '<form method="dialog"><h2>Log in again to save</h2>' +
        "<p>Your login ran out. Your text is kept: log in and it is saved.</p>" +
        '<p class="login-error" role="alert" hidden></p>' +
        '<p><label for="review-login-username">Username</label> <input id="review-login-username" name="username" autocomplete="username" required></p>' +
        '<p><label for="review-login-password">Password</label> <input id="review-login-password" name="password" type="password" autocomplete="current-password" required></p>' +
        '<p><button type="submit" class="button default">Log in and save</button> <button type="button" class="button" value="cancel">Cancel</button></p></form>';
      document.body.appendChild(dialog);
      dialog.querySelector("button[value=cancel]").addEventListener("click", function () { dialog.close(); });
    }
    var loginForm = dialog.querySelector("form");
    loginForm.onsubmit = function (event) {
      event.preventDefault();
      var error = dialog.querySelector(".login-error");
      session().then(function (state) {
        var body = new URLSearchParams();
        body.append("username", loginForm.elements.username.value);
        body.append("password", loginForm.elements.password.value);
        body.append("csrfmiddlewaretoken", state.csrf_token);
        body.append("next", window.location.pathname);
        return fetch(config.loginUrl, { method: "POST", body: body, credentials: "same-origin" });
      }).then(session).then(function (state) {
        if (!state.logged_in) {
          error.textContent = "Those details did not work. Please try again.";
          error.hidden = false;
          return;
        }
        loggedOut = false;
        csrfInput().value = state.csrf_token;
        dialog.close();
        then();
      }).catch(function () {
        error.textContent = "The site cannot be reached. Your text is kept in this browser; try again.";
        error.hidden = false;
      });
    };
    dialog.showModal();
    loginForm.elements.username.focus();
  }

  function session() {
    return fetch(config.sessionUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); });
  }

  // --- Saving ---

  function onSubmit(event) {
    var submitter = event.submitter;
    var previewing = submitter && submitter.name === "_preview";
    if (passThrough) {
      passThrough = false;
      if (!previewing) { submitting = true; keepLocal(); }
      return;
    }
    if (!config.sessionUrl) { if (!previewing) submitting = true; return; }
    event.preventDefault();
    keepLocal();
    var send = function () { passThrough = true; form.requestSubmit(submitter || undefined); };
    session().then(function (state) {
      if (state.logged_in) {
        csrfInput().value = state.csrf_token; // a token from before a login elsewhere is refused: use today's
        send();
      } else {
        showLoggedOut();
        loginDialog(send);
      }
    }).catch(function () {
      setStatus("The site cannot be reached, so nothing was saved. Your text is kept in this browser; try again.");
    });
  }

  function changed() {
    dirty = true;
    clearTimeout(localTimer);
    localTimer = setTimeout(keepLocal, 400);
  }

  function init() {
    var script = $("#review-editing-config");
    form = $("#review_form");
    if (!form) return;
    if (script) config = JSON.parse(script.textContent);
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", onSubmit);
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
    if (!script) return;
    var initial = serialize();
    if (config.storageKey) offerLocalCopy(initial);
    showLock(config.lock);
    var offer = $("#autosave-offer");
    if (offer) {
      offer.querySelector("[data-autosave=restore]").addEventListener("click", function () {
        fill(config.autosaveData);
        offer.hidden = true;
      });
      offer.querySelector("[data-autosave=discard]").addEventListener("click", function () {
        post(config.discardUrl, {}).then(function () { offer.hidden = true; });
      });
    }
    var takeOverForm = $("#edit-lock form.take-over");
    if (takeOverForm) {
      takeOverForm.addEventListener("submit", function (event) { event.preventDefault(); takeOver(); });
    }
    if (config.autosaveUrl) setInterval(autosave, config.autosaveSeconds * 1000);
    if (config.heartbeatUrl) setInterval(heartbeat, config.heartbeatSeconds * 1000);
    window.addEventListener("pagehide", onLeave);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
