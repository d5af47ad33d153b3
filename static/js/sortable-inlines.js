// Drag-and-drop reordering for admin inlines marked "sortable-inline" (SortableInlineMixin).
// Loaded by templates/admin/includes/sortable_inlines.html after the form, as a file of its own
// so the Content-Security-Policy needs no inline script.
"use strict";
(function () {
  const ORDER = 'input[name$="-order"], input[name$="-position"]';

  function setUp(group) {
    const tbody = group.querySelector("table tbody");
    if (!tbody || !tbody.querySelector(ORDER)) return;  // read-only, or nothing to order
    const rows = () => [...tbody.querySelectorAll("tr.form-row:not(.empty-form)")];
    const renumber = () => rows().forEach((row, index) => {
      const input = row.querySelector(ORDER);
      if (input) input.value = index;
    });
    let dragged = null;

    function addHandle(row) {
      if (row.classList.contains("empty-form") || row.querySelector(".drag-handle")) return;
      const handle = document.createElement("span");
      handle.className = "drag-handle";
      handle.textContent = "⠿";
      handle.title = "Drag to reorder";
      handle.setAttribute("aria-hidden", "true");
      handle.addEventListener("mousedown", () => { row.draggable = true; });
      handle.addEventListener("mouseup", () => { row.draggable = false; });
      const input = row.querySelector(ORDER);
      (input ? input.closest("td") : row.cells[0]).prepend(handle);
      row.addEventListener("dragstart", (event) => {
        dragged = row;
        row.classList.add("dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", "");
      });
      row.addEventListener("dragend", () => {
        row.draggable = false;
        row.classList.remove("dragging");
        dragged = null;
        renumber();
      });
    }

    tbody.addEventListener("dragover", (event) => {
      if (!dragged) return;
      event.preventDefault();
      const over = event.target.closest("tr.form-row");
      if (!over || over === dragged || over.classList.contains("empty-form")) return;
      const box = over.getBoundingClientRect();
      tbody.insertBefore(dragged, event.clientY > box.top + box.height / 2 ? over.nextSibling : over);
    });
    tbody.addEventListener("drop", (event) => { event.preventDefault(); renumber(); });
    rows().forEach(addHandle);

    document.addEventListener("formset:added", (event) => {
      const row = event.target;
      if (!tbody.contains(row)) return;
      const taken = rows().filter((other) => other !== row)
        .map((other) => parseInt(other.querySelector(ORDER)?.value, 10))
        .filter(Number.isFinite);
      const input = row.querySelector(ORDER);
      if (input) input.value = taken.length ? Math.max(...taken) + 1 : 0;
      addHandle(row);
    });

    const note = document.createElement("p");
    note.className = "help sortable-note";
    note.textContent = "Drag ⠿ to reorder the rows, or edit the numbers. The new order is kept when you save.";
    (group.querySelector("fieldset h2") || group.firstElementChild).after(note);
  }

  [...document.querySelectorAll(".inline-group")]
    .filter((group) => group.querySelector("fieldset.sortable-inline"))
    .forEach(setUp);
})();
