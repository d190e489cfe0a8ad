// Forms are checked by the server, which says what is wrong beside each field in the reader's
// language: the browser's own bubbles ("Please fill out this field.") speak the browser's
// language instead, so every form, including those htmx and Turbo bring in, skips them.
(function () {
  function skipBrowserValidation(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("form").forEach(function (form) {
      form.noValidate = true;
    });
  }
  document.addEventListener("DOMContentLoaded", function () { skipBrowserValidation(document); });
  document.addEventListener("turbo:load", function () { skipBrowserValidation(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    skipBrowserValidation(event.target.parentElement || document);
  });
})();
