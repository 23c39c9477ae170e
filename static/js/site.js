// Colophon's own small script. The site works without it; it only polishes htmx swaps.
(function () {
  "use strict";
  // Controls that only the plain (no-JS) path needs, such as the shelf's Save, hide under .js.
  document.documentElement.classList.add("js");

  // The id of what each swap replaces, so focus can follow it to the new element; and, in a
  // list marked data-removed-focus, where focus goes if the answer removes it: the next item
  // of the same kind, else the element the attribute names (the list's heading).
  var swappedIds = [];
  var afterRemoval = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.id) return;
    swappedIds.push(target.id);
    var list = target.closest("[data-removed-focus]");
    if (!list || list === target) return;
    var next = target.nextElementSibling;
    while (next && !(next.id && next.tagName === target.tagName)) next = next.nextElementSibling;
    afterRemoval = { id: target.id, next: next && next.id, home: list.getAttribute("data-removed-focus") };
  });

  function focusOn(element) {
    if (!element.matches("a[href], button, input, select, textarea, summary, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
    // Focus already scrolls; this keeps a warning above a long form fully in view.
    element.scrollIntoView({ block: "nearest" });
  }

  // Where focus goes after a swap, in order:
  //  1. a form answered 422: a swapped-in note marked data-focus-here (the add-book "may already
  //     be in the catalogue" warning), else the first invalid field;
  //  2. what the fragment marks with data-focus-here (the updated heading, button or item);
  //  3. if focus was lost with the replaced element, the element that took its place (by id):
  //     its first heading, else itself.
  document.addEventListener("htmx:afterSettle", function (event) {
    var ids = swappedIds;
    var removal = afterRemoval;
    swappedIds = [];
    afterRemoval = null;
    var marks = document.querySelectorAll("[data-focus-here]");
    var marked = marks[0];
    marks.forEach(function (mark) {
      mark.removeAttribute("data-focus-here");
    });
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      var invalid = marked || document.querySelector("form [aria-invalid='true']");
      if (invalid) focusOn(invalid);
      return;
    }
    if (marked) {
      focusOn(marked);
      return;
    }
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    if (removal && !document.getElementById(removal.id)) {
      // The next item's heading when a heading names it (a queue item), else the item itself
      // (a review, named by its "… rated it" line); the list's heading after the last one.
      var next = removal.next && document.getElementById(removal.next);
      var label = next && document.getElementById(next.getAttribute("aria-labelledby") || "");
      var home = label && /^H[1-6]$/.test(label.tagName) ? label : next;
      home = home || document.querySelector(removal.home);
      if (home) {
        focusOn(home);
        return;
      }
    }
    for (var i = 0; i < ids.length; i++) {
      var replaced = document.getElementById(ids[i]);
      if (replaced && replaced.id !== "flash") {
        focusOn(replaced.querySelector("h1, h2, h3, h4, h5, h6") || replaced);
        return;
      }
    }
  });

  // The phone menu (a <details> in the header, which opens and closes by its summary without
  // script): Escape closes it and, if focus was in it, returns focus to its summary; a click or
  // tap anywhere outside it closes it. Wide screens hide the summary and show the links.
  var menu = document.querySelector(".nav-menu");
  if (menu) {
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !menu.open) return;
      var summary = menu.querySelector("summary");
      var hadFocus = menu.contains(document.activeElement);
      menu.open = false;
      if (hadFocus && summary.getClientRects().length) summary.focus();
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
  }

  // The queue's bulk panel stays folded until a review is ticked: then it opens, its summary
  // says how many, and the live region says so once.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[type=checkbox][form=bulk-form]")) return;
    var panel = document.getElementById("bulk-panel");
    var count = document.querySelectorAll("input[type=checkbox][form=bulk-form]:checked").length;
    if (!panel) return;
    var words = count === 1 ? "1 review ticked" : count + " reviews ticked";
    document.getElementById("bulk-ticked").textContent = count ? words : "";
    panel.classList.toggle("is-ticked", count > 0);
    var opening = count > 0 && !panel.open;
    if (opening) panel.open = true;
    var region = document.getElementById("flash");
    if (region) {
      var note = document.createElement("p");
      note.className = "visually-hidden";
      note.textContent = opening ? words + ": the bulk actions are open at the top of the list." : words + ".";
      region.replaceChildren(note);
    }
  });

  // Live search: drop empty parameters (no "&sort=" for the default order) from the request,
  // and so from the URL it puts in the address bar.
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt.closest || !elt.closest("[data-drop-empty]")) return;
    var params = event.detail.parameters;
    var empty = [];
    var names = typeof params.keys === "function" ? Array.from(params.keys()) : Object.keys(params);
    names.forEach(function (name) {
      var value = typeof params.get === "function" ? params.get(name) : params[name];
      if (value === "" || value === null || value === undefined) empty.push(name);
    });
    empty.forEach(function (name) {
      if (typeof params.delete === "function") params.delete(name);
      else delete params[name];
    });
  });
  // A form fetched into place (a link with data-form-link, swapped for the form by htmx) can be
  // put away: its Cancel puts the link back and focuses it, with no request. On the form's own
  // page (or without JavaScript) Cancel is a plain link back.
  var formLinks = {};
  document.addEventListener("htmx:beforeSwap", function (event) {
    var link = event.detail.elt;
    if (link && link.hasAttribute && link.hasAttribute("data-form-link")) {
      var copy = link.cloneNode(true);
      copy.classList.remove("htmx-request");
      formLinks[link.id] = copy;
    }
  });
  document.addEventListener("click", function (event) {
    var cancel = event.target.closest && event.target.closest("[data-form-cancel]");
    var open = cancel && cancel.closest("[data-form-open]");
    var link = open && formLinks[open.id];
    if (!link) return;
    event.preventDefault();
    delete formLinks[open.id];
    open.replaceWith(link);
    htmx.process(link);
    link.focus();
  });
})();
