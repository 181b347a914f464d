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

  // 같은 내용 기사 n건: the cluster's other members open in place.  Without this
  // the link lists the cluster as a search of its own (group=<id>).
  Array.prototype.forEach.call(document.querySelectorAll("[data-group-list]"), function (toggle) {
    var list = document.getElementById(toggle.getAttribute("data-group-list"));
    if (!list) return;
    toggle.setAttribute("role", "button");
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", list.id);
    var flip = function (event) {
      event.preventDefault();
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      list.hidden = !open;
    };
    toggle.addEventListener("click", flip);
    toggle.addEventListener("keydown", function (event) {
      if (event.key === " ") flip(event);  // a button answers Space as well as Enter
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
  // Autocomplete: the search box as an ARIA 1.2 combobox with a listbox popup.
  // Requests wait until typing pauses (debounce); an answer for text that is no
  // longer in the box is dropped (the request is aborted and its number is
  // stale).  Without this script the box is a plain input and the form works.
  (function () {
    var box = document.getElementById("q");
    var suggestUrl = box && box.getAttribute("data-suggest");
    if (!box || !suggestUrl || !window.fetch) return;
    var DELAY = 150;
    var KINDS = { term: "", phrase: "", reporter: "기자", press: "언론사" };
    var popup = document.createElement("ul");
    popup.id = "q-suggestions";
    popup.className = "suggest-popup";
    popup.setAttribute("role", "listbox");
    popup.setAttribute("aria-label", "추천 검색어");
    popup.hidden = true;
    box.parentNode.appendChild(popup);
    box.setAttribute("role", "combobox");
    box.setAttribute("aria-autocomplete", "popup");
    box.setAttribute("aria-expanded", "false");
    box.setAttribute("aria-controls", popup.id);
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    box.parentNode.appendChild(status);

    var items = [];       // the suggestions shown
    var active = -1;      // the highlighted option, -1 for none
    var timer = null;
    var asked = 0;        // number of the latest request; older answers are stale
    var pending = null;   // AbortController of the request in flight
    var lastTyped = box.value;

    var close = function () {
      popup.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
      active = -1;
    };
    var highlight = function (index) {
      var options = popup.children;
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = index;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "true");
        box.setAttribute("aria-activedescendant", options[active].id);
        options[active].scrollIntoView({ block: "nearest" });
      } else {
        box.removeAttribute("aria-activedescendant");
      }
    };
    var choose = function (index) {
      var item = items[index];
      if (!item) return;
      box.value = item.query;
      lastTyped = box.value;
      close();
      if (box.form.requestSubmit) box.form.requestSubmit(); else box.form.submit();
    };
    var show = function (found) {
      items = found;
      popup.textContent = "";
      active = -1;
      box.removeAttribute("aria-activedescendant");
      found.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = "q-suggestion-" + index;
        option.className = "suggest-option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        var text = document.createElement("span");
        text.className = "suggest-text";
        text.textContent = item.text;
        option.appendChild(text);
        if (KINDS[item.kind]) {
          var kind = document.createElement("span");
          kind.className = "suggest-kind";
          kind.textContent = KINDS[item.kind];
          option.appendChild(kind);
        }
        // mousedown would blur the box (and close the popup) before the click lands.
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { choose(index); });
        popup.appendChild(option);
      });
      var open = found.length > 0 && document.activeElement === box;
      popup.hidden = !open;
      box.setAttribute("aria-expanded", open ? "true" : "false");
      status.textContent = open ? "추천 검색어 " + found.length + "개, 위아래 화살표로 고르세요" : "";
    };
    var ask = function () {
      var typed = box.value;
      var number = ++asked;
      if (pending) pending.abort();
      if (!typed.trim()) { show([]); return; }
      pending = window.AbortController ? new AbortController() : null;
      fetch(suggestUrl + "?q=" + encodeURIComponent(typed), {
        headers: { Accept: "application/json" },
        signal: pending ? pending.signal : undefined,
      }).then(function (response) {
        return response.ok ? response.json() : { suggestions: [] };
      }).then(function (data) {
        if (number !== asked || box.value !== typed) return;  // stale: the box has moved on
        show(data.suggestions || []);
      }).catch(function () { /* aborted or offline: the box still works */ });
    };
    box.addEventListener("input", function () {
      if (box.value === lastTyped) return;
      lastTyped = box.value;
      clearTimeout(timer);
      timer = setTimeout(ask, DELAY);
    });
    box.addEventListener("keydown", function (event) {
      if (event.isComposing || event.keyCode === 229) return;  // the IME owns the keys
      var open = !popup.hidden;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!open) {
          if (items.length) { show(items); highlight(event.key === "ArrowDown" ? 0 : items.length - 1); }
          else { clearTimeout(timer); ask(); }
          return;
        }
        var step = event.key === "ArrowDown" ? 1 : -1;
        var next = active + step;
        if (next >= items.length) next = -1;
        if (next < -1) next = items.length - 1;
        highlight(next);
      } else if (event.key === "Enter") {
        if (open && active >= 0) { event.preventDefault(); choose(active); }
        else close();
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); close(); }
      }
    });
    box.addEventListener("blur", close);
  })();
})();
