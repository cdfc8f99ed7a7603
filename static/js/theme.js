// The masthead's "Dark theme" toggle. base.html's inline script has already applied a stored choice
// before the first paint; this shows the button, keeps aria-pressed true to what is on screen, and
// remembers a new choice in localStorage (never a cookie: the page cache serves everyone the same page).
(function () {
  "use strict";
  var root = document.documentElement;
  var button = document.getElementById("theme-toggle");
  if (!button) return;
  var system = window.matchMedia("(prefers-color-scheme: dark)");

  function shown() { return root.dataset.theme || (system.matches ? "dark" : "light"); }
  function update() { button.setAttribute("aria-pressed", shown() === "dark" ? "true" : "false"); }

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
