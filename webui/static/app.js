// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // "/" jumps to the search box, as on most search sites (not while typing).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var tag = target && target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)) return;
    var box = document.getElementById("q");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // A typed date range is checked before it is sent, with the same rule as the
  // server (YYYY, YYYY-MM or YYYY-MM-DD), so a typo is caught without a round trip.
  var pattern = /^\s*\d{4}([-.\/]\d{1,2}([-.\/]\d{1,2})?)?\.?\s*$/;
  Array.prototype.forEach.call(document.querySelectorAll(".range-form input[name=from], .range-form input[name=to]"), function (input) {
    input.addEventListener("input", function () {
      var ok = input.value === "" || pattern.test(input.value);
      input.setCustomValidity(ok ? "" : "날짜는 YYYY, YYYY-MM 또는 YYYY-MM-DD 형식으로 입력하세요.");
    });
  });
})();
