/* The provisions an answer changed: a list of checkboxes with a box that filters it as one
   types ("មាត្រា ៣", "3", a word of a heading). Without this script the list still works: it
   scrolls, and each provision is ticked with one click. Latin and Khmer digits match each
   other, so "12" finds "មាត្រា ១២". Loaded as a file (the CSP allows no inline script); it
   starts again on every fragment htmx swaps in. */
(function () {
  "use strict";
  var KHMER_ZERO = 0x17e0;

  function fold(text) {
    return text
      .replace(/[\u17e0-\u17e9]/g, function (digit) {
        return String(digit.charCodeAt(0) - KHMER_ZERO);
      })
      .replace(/\u200b/g, "")
      .toLowerCase()
      .trim();
  }

  function start(root) {
    var pickers = root.querySelectorAll("[data-lekhit-pick]");
    Array.prototype.forEach.call(pickers, function (picker) {
      if (picker.dataset.lekhitPickReady) return;
      picker.dataset.lekhitPickReady = "1";
      var filter = picker.querySelector(".lekhit-pick-filter");
      var items = picker.querySelectorAll(".lekhit-pick-item");
      filter.hidden = false;
      filter.addEventListener("input", function () {
        var wanted = fold(filter.value);
        Array.prototype.forEach.call(items, function (item) {
          var ticked = item.querySelector("input").checked;
          item.hidden = wanted !== "" && !ticked && fold(item.textContent).indexOf(wanted) === -1;
        });
      });
      filter.addEventListener("keydown", function (event) {
        if (event.key === "Enter") event.preventDefault(); // Enter filters, never submits
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { start(document); });
  document.addEventListener("htmx:load", function (event) { start(event.target); });
})();
