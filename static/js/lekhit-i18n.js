// What viewflow's scripts write, in the reader's language beyond what the JavaScript catalogue
// (/jsi18n/, loaded just before) translates. Loaded before viewflow's own script, which keeps
// the catalogue's interpolate() as it loads.
(function () {
  var KHMER_DIGITS = "០១២៣៤៥៦៧៨៩";

  function inKhmer() {
    return /^km\b/i.test(document.documentElement.lang || "");
  }

  // The numbers viewflow counts ("0 selected") in Khmer digits in Khmer; the texts it fills in
  // stay as they are (they may be what someone typed).
  if (typeof window.interpolate === "function") {
    var interpolate = window.interpolate;
    var khmerNumber = function (value) {
      if (typeof value !== "number" || !inKhmer()) return value;
      return String(value).replace(/[0-9]/g, function (digit) { return KHMER_DIGITS[digit]; });
    };
    window.interpolate = function (fmt, obj, named) {
      if (named) {
        var values = {};
        Object.keys(obj).forEach(function (key) { values[key] = khmerNumber(obj[key]); });
        return interpolate(fmt, values, named);
      }
      return interpolate(fmt, obj.map(khmerNumber), named);
    };
    if (window.django) window.django.interpolate = window.interpolate;
  }

  // viewflow's multiple choice names its list of options "Food picker listbox" (a leftover of
  // an example) whatever the field: a screen reader says the field's own label instead.
  function nameOptionLists() {
    document.querySelectorAll("vf-field-select-multiple").forEach(function (field) {
      var list = field.querySelector("ul.mdc-list[role=group]");
      var label = field.getAttribute("label");
      if (list && label) list.setAttribute("aria-label", label);
    });
  }
  document.addEventListener("DOMContentLoaded", nameOptionLists);
  document.addEventListener("turbo:load", nameOptionLists);
  document.addEventListener("turbo:render", nameOptionLists);
})();
