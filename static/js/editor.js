/* Tells the author, in the editor, what happened to a dropped image.
   markdownx answers every upload through the same callback and, on an error, types
   "Invalid response" into the text; we show the server's reason instead and take that out. */
(function () {
  "use strict";
  var MARKDOWNX_ERROR_TEXT = "Invalid response";

  function messageBox(container) {
    var box = container.querySelector(".markdownx-message");
    if (!box) {
      box = document.createElement("p");
      box.className = "markdownx-message";
      box.setAttribute("role", "alert");
      container.insertBefore(box, container.firstChild);
    }
    return box;
  }

  function show(container, text, kind) {
    var box = messageBox(container);
    box.textContent = text;
    box.className = "markdownx-message " + kind;
    box.hidden = false;
  }

  function reasonOf(detail) {
    var raw = detail && detail[0];
    try {
      var data = typeof raw === "string" ? JSON.parse(raw) : raw;
      if (data && data.error) return data.error;
      if (data && data.__all__) return data.__all__.join(" ");
    } catch (e) { /* not JSON: fall through */ }
    return "The image could not be uploaded. Please try again.";
  }

  function removeErrorText(editor, start) {
    var value = editor.value;
    if (value.substr(start, MARKDOWNX_ERROR_TEXT.length) === MARKDOWNX_ERROR_TEXT) {
      editor.value = value.slice(0, start) + value.slice(start + MARKDOWNX_ERROR_TEXT.length);
      editor.selectionStart = editor.selectionEnd = start;
    }
  }

  function onUploadError(event) {
    var container = event.currentTarget;
    var editor = container.querySelector(".markdownx-editor");
    var start = editor.selectionStart;
    show(container, "Image not added: " + reasonOf(event.detail), "error");
    // markdownx inserts its error text right after firing this event.
    setTimeout(function () { removeErrorText(editor, start); }, 0);
  }

  function onUploadEnd(event) {
    show(event.currentTarget, "Image added. Replace \u201cDescribe this image\u201d with what it shows.", "info");
  }

  function init() {
    // The preview takes the public article's styles (static/css/article.css), so it reads as published.
    document.querySelectorAll(".markdownx-preview").forEach(function (preview) { preview.classList.add("prose"); });
    document.querySelectorAll(".markdownx").forEach(function (container) {
      container.addEventListener("markdownx.fileUploadError", onUploadError);
      container.addEventListener("fileUploadError", onUploadError);
      container.addEventListener("markdownx.fileUploadEnd", onUploadEnd);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
