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

  // 상세검색: show, as one types, the query the form will put in the box (the
  // server writes it the same way, webui/advanced.py), so the syntax is learnt
  // before the search runs.
  var advanced = document.querySelector(".advanced-form");
  if (advanced) {
    var preview = document.createElement("p");
    preview.className = "advanced-preview";
    preview.setAttribute("aria-live", "polite");
    var code = document.createElement("kbd");
    preview.appendChild(document.createTextNode("검색창에 들어갈 검색어: "));
    preview.appendChild(code);
    advanced.insertBefore(preview, advanced.querySelector("button[type=submit]"));
    var words = function (name) {
      var text = (advanced.elements[name].value || "").replace(/["()]/g, " ");
      return text.split(/\s+/).filter(function (w) { return w && w !== "OR" && w !== "-"; });
    };
    var named = function (field, name) {
      var value = (advanced.elements[name].value || "").replace(/"/g, "").trim();
      if (!value) return [];
      return [field + ":" + (/\s/.test(value) ? '"' + value + '"' : value)];
    };
    var compose = function () {
      var parts = words("all");
      var phrase = words("phrase").join(" ");
      if (phrase) parts.push('"' + phrase + '"');
      var either = words("any");
      if (either.length === 1) parts.push(either[0]);
      else if (either.length) parts.push("(" + either.join(" OR ") + ")");
      words("none").forEach(function (w) { w = w.replace(/^-+/, ""); if (w) parts.push("-" + w); });
      parts = parts.concat(named("기자", "reporter"), named("언론사", "press"));
      code.textContent = parts.join(" ") || "(아직 없음)";
    };
    advanced.addEventListener("input", compose);
    compose();
  }
})();
