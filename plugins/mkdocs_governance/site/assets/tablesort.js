/* mkdocs-governance: click a table header to sort the governance tables, and label
   cells for the phone layout (no dependencies). */
(function () {
  "use strict";
  function cellValue(row, index) {
    var cell = row.children[index];
    var text = cell ? cell.textContent.trim() : "";
    var number = parseFloat(text.replace(/[^0-9.+-eE]/g, ""));
    return { text: text.toLowerCase(), number: /^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$/.test(text) ? number : NaN };
  }
  function sortBy(table, index, header) {
    var body = table.tBodies[0];
    if (!body) { return; }
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      var order = !isNaN(x.number) && !isNaN(y.number) ? x.number - y.number : x.text.localeCompare(y.text);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.querySelectorAll("th"), function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  function enhance() {
    var tables = document.querySelectorAll("article table:not(.gov-sort-ready)");
    Array.prototype.forEach.call(tables, function (table) {
      table.classList.add("gov-sort-ready");
      var headers = table.tHead ? table.tHead.rows[0].cells : [];
      Array.prototype.forEach.call(headers, function (header, index) {
        header.classList.add("gov-sortable");
        header.addEventListener("click", function () { sortBy(table, index, header); });
        // The phone layout shows each cell as "label: value" (governance.css).
        var label = header.textContent.trim();
        Array.prototype.forEach.call(table.tBodies, function (body) {
          Array.prototype.forEach.call(body.rows, function (row) {
            if (row.cells[index] && label) { row.cells[index].setAttribute("data-label", label); }
          });
        });
      });
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(enhance);  // Material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", enhance);
  }
})();
