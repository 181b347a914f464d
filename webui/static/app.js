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

  // A typed date range is checked before it is sent, with the same forms as the
  // server (search/datebounds.py), so a typo is caught without a round trip.
  var compact = /^\d{4}(\d{2}(\d{2})?)?$/;
  var separated = /^\d{4}((\s*년\s*|\s*[-.\/]\s*|\s+)\d{1,2}((\s*월\s*|\s*[-.\/]\s*|\s+)\d{1,2}(\s*일|\.)?|(\s*월|\.)?)|(\s*년|\.)?)$/;
  Array.prototype.forEach.call(document.querySelectorAll(".range-form input[name=from], .range-form input[name=to]"), function (input) {
    input.addEventListener("input", function () {
      var value = input.value.trim();
      var ok = value === "" || compact.test(value) || separated.test(value);
      input.setCustomValidity(ok ? "" : "날짜는 2018, 2018.03, 2018.03.01, 20180301, 2018년 3월 같은 형식으로 입력하세요.");
    });
  });

  // The search box: without 결과 내 재검색 a new query drops the filters in force.
  // The server does the same on the `box` marker; doing it here saves a redirect.
  Array.prototype.forEach.call(document.querySelectorAll(".search-form"), function (form) {
    var within = form.querySelector("input[name=within]");
    if (!within) return;
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.querySelectorAll("input[data-filter]"), function (field) {
        field.disabled = !within.checked;
      });
      within.disabled = true;
      form.querySelector("input[name=box]").disabled = true;
    });
  });

  // 더보기 page: the filter box narrows the list as one types (the form still
  // works without this, on the server).
  var filter = document.querySelector("[data-facet-filter]");
  var list = document.querySelector(".facet-list-full");
  if (filter && list) {
    filter.addEventListener("input", function () {
      var wanted = filter.value.trim().toLowerCase();
      Array.prototype.forEach.call(list.children, function (item) {
        var name = item.querySelector(".facet-name").textContent.toLowerCase();
        item.hidden = wanted !== "" && name.indexOf(wanted) < 0;
      });
    });
  }
})();
