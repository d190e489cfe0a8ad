/* The instrument pages: htmx glue for Turbo, confirmations, cancel buttons, error messages. */
(function () {
  "use strict";

  function processBody() {
    if (window.htmx) { window.htmx.process(document.body); }
  }

  // Viewflow's pages use Turbo: a page it swaps in has not been seen by htmx yet.
  document.addEventListener("turbo:load", processBody);

  // Plain (non-htmx) forms that need a confirmation carry data-confirm.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // "Cancel" on a form that was added to the page: take the form away again.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-lekhit-remove]");
    if (button) {
      event.preventDefault();
      var element = button.closest(button.getAttribute("data-lekhit-remove"));
      if (element) { element.remove(); }
    }
  });

  function alertBox() { return document.getElementById("lekhit-alert"); }

  // A refused or failed request (403, 404, 500, network): say so instead of doing nothing.
  function showError() {
    var box = alertBox();
    var root = document.querySelector(".lekhit-documents");
    if (!box || !root) { return; }
    box.textContent = root.getAttribute("data-error-message");
    box.hidden = false;
  }
  document.addEventListener("htmx:responseError", showError);
  document.addEventListener("htmx:sendError", showError);
  document.addEventListener("htmx:beforeRequest", function () {
    var box = alertBox();
    if (box) { box.hidden = true; }
  });

  // After a swap, put the cursor in the first field of a form that just appeared.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.querySelector) { return; }
    var field = target.querySelector("form textarea, form input:not([type=hidden]), form select");
    if (field && target.id !== "lekhit-outline") { field.focus(); }
  });
})();
