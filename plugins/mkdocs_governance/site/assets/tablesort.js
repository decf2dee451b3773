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
  // The audit trail's filters: model, person, kind of record, date range. Each row
  // carries its facts as classes on a marker (gov-m-<model>, gov-p-<person>,
  // gov-k-<kind>); its first cell starts with the ISO date.
  function auditFilters() {
    var holder = document.querySelector("article .gov-audit-filters:not(.gov-ready)");
    if (!holder) { return; }
    holder.classList.add("gov-ready");
    var rows = Array.prototype.slice.call(document.querySelectorAll("article tr"))
      .filter(function (row) { return row.querySelector(".gov-audit-row"); });
    var facets = { m: "Model", p: "Person", k: "Kind of record" };
    var values = { m: {}, p: {}, k: {} };
    rows.forEach(function (row) {
      row.querySelector(".gov-audit-row").classList.forEach(function (name) {
        var match = /^gov-([mpk])-(.+)$/.exec(name);
        if (match) { values[match[1]][match[2]] = true; }
      });
    });
    var controls = {};
    function labelled(text, control) {
      var label = document.createElement("label");
      label.textContent = text + " ";
      label.appendChild(control);
      holder.appendChild(label);
      holder.appendChild(document.createTextNode(" "));
      return control;
    }
    Object.keys(facets).forEach(function (key) {
      var select = document.createElement("select");
      var any = document.createElement("option");
      any.value = ""; any.textContent = "any";
      select.appendChild(any);
      Object.keys(values[key]).sort().forEach(function (value) {
        var option = document.createElement("option");
        option.value = value; option.textContent = value;
        select.appendChild(option);
      });
      controls[key] = labelled(facets[key], select);
    });
    ["from", "to"].forEach(function (key) {
      var input = document.createElement("input");
      input.type = "date";
      controls[key] = labelled(key === "from" ? "From" : "To", input);
    });
    function apply() {
      rows.forEach(function (row) {
        var marker = row.querySelector(".gov-audit-row");
        var day = row.cells[0].textContent.trim().slice(0, 10);
        var show = ["m", "p", "k"].every(function (key) {
          var wanted = controls[key].value;
          return !wanted || marker.classList.contains("gov-" + key + "-" + wanted);
        });
        if (controls.from.value && day < controls.from.value) { show = false; }
        if (controls.to.value && day > controls.to.value) { show = false; }
        row.hidden = !show;
      });
    }
    Object.keys(controls).forEach(function (key) {
      controls[key].addEventListener("change", apply);
      controls[key].addEventListener("input", apply);
    });
  }
  function start() { enhance(); auditFilters(); }
  if (typeof document$ !== "undefined") {
    document$.subscribe(start);  // Material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
