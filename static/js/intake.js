/* Intake form: add and remove member rows (progressive enhancement).
 * Without JavaScript the form has a few empty rows and a "Ta bort personen" checkbox per row.
 * With it, rows are added from the <template> and removed with a button that ticks the
 * formset's DELETE box, so the server sees exactly what it would see without JavaScript. */
(function () {
  "use strict";

  var script = document.getElementById("intake-script");
  var removeLabel = (script && script.dataset.removeLabel) || "Ta bort personen";
  var personLabel = (script && script.dataset.personLabel) || "Person";

  // Errors: move focus to the summary so that screen reader users hear it first.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  var list = document.querySelector("[data-member-list]");
  var template = document.getElementById("member-template");
  var total = document.getElementById("id_members-TOTAL_FORMS");
  var maxForms = document.getElementById("id_members-MAX_NUM_FORMS");
  var addButton = document.querySelector("[data-add-member]");
  if (!list || !template || !total || !addButton) {
    return;
  }

  function visibleRows() {
    return Array.prototype.filter.call(list.querySelectorAll("[data-member-row]"), function (row) {
      return !row.hidden;
    });
  }

  function renumber() {
    visibleRows().forEach(function (row, i) {
      var legend = row.querySelector("[data-member-legend]");
      if (legend) {
        legend.textContent = personLabel + " " + (i + 1);
      }
      var button = row.querySelector("[data-remove-member]");
      if (button) {
        button.textContent = removeLabel + " (" + personLabel.toLowerCase() + " " + (i + 1) + ")";
      }
    });
    var limit = maxForms ? parseInt(maxForms.value, 10) : 1000;
    addButton.disabled = parseInt(total.value, 10) >= limit;
  }

  function enhance(row) {
    var del = row.querySelector('input[type="checkbox"][name$="-DELETE"]');
    if (!del) {
      return;
    }
    var wrapper = del.closest(".form-check") || del.parentElement;
    wrapper.hidden = true;
    if (del.checked) {
      row.hidden = true;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-danger";
    button.setAttribute("data-remove-member", "");
    button.textContent = removeLabel;
    button.addEventListener("click", function () {
      del.checked = true;
      row.hidden = true;
      renumber();
      addButton.focus();
    });
    row.appendChild(button);
  }

  addButton.hidden = false;
  addButton.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.querySelector("[data-member-row]");
    list.appendChild(row);
    total.value = String(index + 1);
    enhance(row);
    renumber();
    var first = row.querySelector("input:not([type=hidden]), select");
    if (first) {
      first.focus();
    }
  });

  Array.prototype.forEach.call(list.querySelectorAll("[data-member-row]"), enhance);
  renumber();
})();

/* Landlord type-ahead (progressive enhancement). Without JavaScript the <datalist> holds the
 * organisation's stored landlords and the server completes the organisationsnummer from part of
 * the name. With it, the list follows what is typed (a small JSON endpoint, the user's organisation
 * only) and picking a landlord fills in its organisationsnummer at once. */
(function () {
  "use strict";

  var script = document.getElementById("intake-script");
  var url = script && script.dataset.landlordsUrl;
  var nameInput = document.getElementById("id_landlord_name");
  var numberInput = document.getElementById("id_landlord_org_number");
  var datalist = document.getElementById("landlord-options");
  if (!url || !nameInput || !numberInput || !datalist || !window.fetch) {
    return;
  }
  var known = {};
  Array.prototype.forEach.call(datalist.options, function (option) {
    known[option.value] = option.textContent;
  });
  var timer = null;

  function fillNumber() {
    var number = known[nameInput.value];
    if (number && !numberInput.value) {
      numberInput.value = number;
    }
  }

  function refresh() {
    var text = nameInput.value.trim();
    if (text.length < 2) {
      return;
    }
    fetch(url + "?q=" + encodeURIComponent(text), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { landlords: [] }; })
      .then(function (data) {
        while (datalist.firstChild) {
          datalist.removeChild(datalist.firstChild);
        }
        data.landlords.forEach(function (landlord) {
          var option = document.createElement("option");
          option.value = landlord.name;
          option.textContent = landlord.org_number;
          datalist.appendChild(option);
          known[landlord.name] = landlord.org_number;
        });
        fillNumber();
      })
      .catch(function () { /* the server still completes the number on submit */ });
  }

  nameInput.addEventListener("input", function () {
    fillNumber();
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 200);
  });
  nameInput.addEventListener("change", fillNumber);
})();
