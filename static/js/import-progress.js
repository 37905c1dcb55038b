// Polls the import's status while the commit runs (without it the page still works: reload to see progress).
(function () {
  "use strict";
  var section = document.querySelector("[data-progress-url]");
  if (!section) { return; }
  var url = section.getAttribute("data-progress-url");
  var bar = section.querySelector("[role=progressbar]");
  var fill = bar.querySelector(".progress-bar");
  var doneText = section.querySelector("[data-progress-done]");
  var totalText = section.querySelector("[data-progress-total]");

  function show(done, total) {
    bar.setAttribute("aria-valuenow", String(done));
    bar.setAttribute("aria-valuemax", String(total));
    fill.style.width = (total ? Math.round((100 * done) / total) : 0) + "%";
    doneText.textContent = String(done);
    totalText.textContent = String(total);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        show(data.progress.done, data.progress.total);
        if (data.status === "RUNNING") {
          window.setTimeout(poll, 1000);
        } else {
          // Finished (or failed): the page itself shows the result and the rows' cases.
          window.location.reload();
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  show(Number(bar.getAttribute("aria-valuenow")), Number(bar.getAttribute("aria-valuemax")));
  window.setTimeout(poll, 500);
})();
