// The moderation desk's keys (comments/admin_desk.py), as on WordPress's Comments screen: j/k move,
// a approve, s spam, t or d trash, u unapprove or restore, z undo, r reply, e edit. Every key presses a
// button that is on the page anyway, so without this script the desk works the same by clicking.
(function () {
  "use strict";
  var desk = document.querySelector(".desk");
  if (!desk) return;
  var cards = Array.prototype.slice.call(desk.querySelectorAll(".desk-comment"));

  function current() {
    return desk.querySelector(".desk-comment.is-current") || cards[0] || null;
  }

  function select(card) {
    if (!card) return;
    cards.forEach(function (other) { other.classList.toggle("is-current", other === card); });
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var index = cards.indexOf(current());
    select(cards[Math.min(Math.max(index + step, 0), cards.length - 1)]);
  }

  function press(selector, scope) {
    var button = (scope || desk).querySelector(selector);
    if (button) button.click();
  }

  function open(card, which) {
    var details = card && card.querySelector("details.desk-" + which);
    if (!details) return;
    details.open = true;
    var field = details.querySelector("textarea");
    if (field) field.focus();
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.metaKey) return;
    var target = event.target;
    var typing = target.closest && target.closest("textarea, select, [contenteditable], input:not([type=checkbox]):not([type=radio])");
    if (typing) {
      if (event.key === "Escape") {  // leave the reply or edit box, back to the keys
        var details = target.closest("details");
        if (details) details.open = false;
        select(target.closest(".desk-comment"));
      } else if (event.key === "Enter" && event.ctrlKey && target.form) {
        event.preventDefault();
        target.form.requestSubmit();
      }
      return;
    }
    if (event.ctrlKey) return;
    var card = current();
    var keys = {
      j: function () { move(1); },
      k: function () { move(-1); },
      a: function () { press("button[data-key=a]", card); },
      s: function () { press("button[data-key=s]", card); },
      t: function () { press("button[data-key=t]", card); },
      d: function () { press("button[data-key=t]", card); },
      u: function () { press("button[data-key=u]", card); },
      z: function () { press("button[data-key=z]"); },
      r: function () { open(card, "reply"); },
      e: function () { open(card, "edit"); },
    };
    var action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  cards.forEach(function (card) {
    card.addEventListener("click", function () { select(card); });
  });
  var start = current();
  if (start) select(start);
})();
