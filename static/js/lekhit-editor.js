/* The instrument pages: htmx glue for Turbo, confirmations, cancel buttons, error messages. */
(function () {
  "use strict";

  function processBody() {
    if (window.htmx) { window.htmx.process(document.body); }
  }

  // Each provision the person may edit gets its copy of the page's action buttons (written
  // once, for provision 0), with its own number; "add inside" only in a chapter or part.
  function withProvision(value, pk, parent) {
    return value
      .replace("/provisions/0/", "/provisions/" + pk + "/")
      .replace("#provision-0", "#provision-" + pk)
      .replace("#lekhit-add-0", "#lekhit-add-" + pk)
      .replace("?after=0", "?after=" + pk + (parent ? "&parent=" + parent : ""))
      .replace("?parent=0", "?parent=" + pk);
  }
  function giveActions(root) {
    var template = document.getElementById("lekhit-provision-actions");
    if (!template || !root || !root.querySelectorAll) { return; }
    var provisions = Array.prototype.slice.call(root.querySelectorAll("article[data-pk]"));
    if (root.matches && root.matches("article[data-pk]")) { provisions.push(root); }
    provisions.forEach(function (article) {
      var slot = article.querySelector(":scope > .lekhit-provision-actions");
      if (!slot || slot.childElementCount) { return; }
      var pk = article.getAttribute("data-pk");
      var parent = article.getAttribute("data-parent");
      var buttons = template.content.cloneNode(true);
      if (!article.hasAttribute("data-container")) {
        buttons.querySelectorAll(".lekhit-add-inside").forEach(function (b) { b.remove(); });
      }
      buttons.querySelectorAll("[hx-get], [hx-post]").forEach(function (button) {
        ["hx-get", "hx-post", "hx-target"].forEach(function (name) {
          if (button.hasAttribute(name)) {
            button.setAttribute(name, withProvision(button.getAttribute(name), pk, parent));
          }
        });
      });
      slot.appendChild(buttons);
      if (window.htmx) { window.htmx.process(slot); }
    });
  }
  giveActions(document);
  document.addEventListener("DOMContentLoaded", function () { giveActions(document); });
  // What htmx puts on the page (the outline after a move, a provision after its edit).
  document.addEventListener("htmx:load", function (event) { giveActions(event.detail.elt); });

  // Viewflow's pages use Turbo: a page it swaps in has not been seen by htmx yet.
  document.addEventListener("turbo:load", function () { giveActions(document); processBody(); });

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
