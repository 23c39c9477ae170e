// Drag a book to a new place on one's own list: an extra over the Up/Down buttons and the
// place form. A drop fills in the dragged book's "Place" field and submits that form, so the
// server sees what a keyboard or no-JS reader would send (htmx then swaps the list in place).
(function () {
  "use strict";
  var dragged = null;

  function listOf(element) {
    return element && element.closest ? element.closest("ol[data-drag-reorder]") : null;
  }

  function itemOf(element) {
    var list = listOf(element);
    var item = element && element.closest ? element.closest("li") : null;
    return list && item && item.parentElement === list ? item : null;
  }

  // Items become draggable only with this script (and after every swap of the list).
  function arm(root) {
    (root || document).querySelectorAll("ol[data-drag-reorder] > li").forEach(function (li) {
      li.setAttribute("draggable", "true");
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    arm(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    arm(event.detail.elt && event.detail.elt.parentElement ? event.detail.elt.parentElement : document);
  });

  document.addEventListener("dragstart", function (event) {
    var item = itemOf(event.target);
    if (!item) return;
    dragged = item;
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.id);
  });

  document.addEventListener("dragover", function (event) {
    var over = itemOf(event.target);
    if (!dragged || !over || listOf(over) !== listOf(dragged)) return;
    event.preventDefault(); // allows the drop
    event.dataTransfer.dropEffect = "move";
  });

  document.addEventListener("drop", function (event) {
    var over = itemOf(event.target);
    if (!dragged || !over || listOf(over) !== listOf(dragged)) return;
    event.preventDefault();
    var items = Array.prototype.slice.call(listOf(over).children);
    var place = items.indexOf(over) + 1;
    var form = dragged.querySelector("form.list-place-form");
    var field = form && form.querySelector("input[name='position']");
    if (!field || items.indexOf(dragged) + 1 === place) return;
    field.value = String(place);
    form.requestSubmit(form.querySelector("button[type='submit']"));
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
  });
})();
