// The masthead's theme toggle. base.html's inline script has already applied a stored choice before the
// first paint; this shows the button, labels it with what a press does ("Dark theme" on a light page,
// "Light theme" on a dark one), and remembers a new choice in localStorage (never a cookie: the page
// cache serves everyone the same page). The label is the state, so there is no aria-pressed as well: a
// pressed "Light theme" button on a dark page would say the opposite of what is on screen.
(function () {
  "use strict";
  var root = document.documentElement;
  var button = document.getElementById("theme-toggle");
  if (!button) return;
  var label = button.querySelector(".theme-toggle-label");
  var system = window.matchMedia("(prefers-color-scheme: dark)");

  function shown() { return root.dataset.theme || (system.matches ? "dark" : "light"); }
  function update() {
    var theme = shown();
    button.dataset.shown = theme;
    label.textContent = theme === "dark" ? "Light theme" : "Dark theme";
  }

  button.addEventListener("click", function () {
    var next = shown() === "dark" ? "light" : "dark";
    root.dataset.theme = next;
    try { localStorage.setItem("theme", next); } catch (e) { /* private mode: this page only */ }
    update();
  });
  system.addEventListener("change", update);
  update();
  button.hidden = false;
})();
