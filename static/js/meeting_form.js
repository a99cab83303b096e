/* The meeting form (and the insight form's error summary), in place. Without this script every button still works: the server answers with the
   same page, everything typed kept and the new or moved row focused (cells/views/authoring.py). With it:
   - "Add another speaker/question" adds an empty row (copied from the row <template>) and focuses it;
   - "Move up/down" moves the row and renumbers the rows' hidden order, focus staying on the button;
   - "Preview" shows the preview below the button, asked from the server without leaving the page;
   - the error summary is focused when the page opens, and its links focus the field they name. */
(function () {
  "use strict";

  var form = document.querySelector("[data-meeting-form]");
  var summary = document.querySelector("[data-error-summary]");

  if (summary) {
    if (document.activeElement !== summary) summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      var around = field.closest(".field") || field;
      around.scrollIntoView({ block: "start" });
      field.focus({ preventScroll: true });
    });
  }
  if (!form) return;

  var status = form.querySelector("[data-row-status]");

  function announce(text) {
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function rowsOf(prefix) {
    return Array.prototype.slice.call(form.querySelector('[data-rows="' + prefix + '"]').children);
  }

  function noun(prefix) {
    return prefix === "speakers" ? "Speaker" : "Question";
  }

  // Each row's number, hidden order and which move buttons show follow where it now stands.
  function renumber(prefix) {
    var rows = rowsOf(prefix);
    rows.forEach(function (row, index) {
      row.querySelectorAll("[data-row-number]").forEach(function (node) { node.textContent = String(index + 1); });
      var order = row.querySelector('input[name$="-order"]');
      if (order) order.value = String(index);
      row.querySelector('[data-move="up"]').hidden = index === 0;
      row.querySelector('[data-move="down"]').hidden = index === rows.length - 1;
    });
  }

  function addRow(prefix) {
    var total = form.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var template = form.querySelector('[data-row-template="' + prefix + '"]');
    var index = parseInt(total.value, 10) || 0;
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index)).trim();
    var row = holder.firstElementChild;
    form.querySelector('[data-rows="' + prefix + '"]').appendChild(row);
    total.value = String(index + 1);
    renumber(prefix);
    var first = row.querySelector("select, input:not([type=hidden]), textarea");
    if (first) first.focus();
    announce(noun(prefix) + " " + rowsOf(prefix).length + " added.");
  }

  function moveRow(button) {
    var row = button.closest("[data-row]");
    var list = row.parentNode;
    var prefix = list.getAttribute("data-rows");
    if (button.getAttribute("data-move") === "up" && row.previousElementSibling) {
      list.insertBefore(row, row.previousElementSibling);
    } else if (button.getAttribute("data-move") === "down" && row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
    }
    renumber(prefix);
    var target = button.hidden ? row.querySelector("[data-move]:not([hidden])") : button;
    if (target) target.focus();
    row.scrollIntoView({ block: "nearest" });
    announce(noun(prefix) + " moved to place " + (rowsOf(prefix).indexOf(row) + 1) + ".");
  }

  function preview(button) {
    var where = button.getAttribute("data-preview");
    var data = new FormData(form);
    data.append("preview", where);
    button.disabled = true;
    window.fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var shown = page.querySelector('[data-preview-slot="' + where + '"]');
        var slot = form.querySelector('[data-preview-slot="' + where + '"]');
        if (!shown || !slot) throw new Error("no preview in the answer");
        form.querySelectorAll("[data-preview-slot]").forEach(function (other) { other.innerHTML = ""; });
        slot.innerHTML = shown.innerHTML;
        var panel = slot.firstElementChild;
        if (panel) {
          panel.focus({ preventScroll: true });
          panel.scrollIntoView({ block: "nearest" });
        }
      })
      .then(function () { button.disabled = false; })
      .catch(function () {
        // Something went wrong: send the form the ordinary way (the server answers with the preview).
        button.disabled = false;
        button.setAttribute("data-sent", "");
        button.click();
      });
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !form.contains(button)) return;
    if (button.hasAttribute("data-add-row")) {
      event.preventDefault();
      addRow(button.getAttribute("data-add-row"));
    } else if (button.hasAttribute("data-move")) {
      event.preventDefault();
      moveRow(button);
    } else if (button.hasAttribute("data-preview") && window.fetch && !button.hasAttribute("data-sent")) {
      event.preventDefault();
      preview(button);
    }
  });
})();
