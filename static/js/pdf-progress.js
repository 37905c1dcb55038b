// The PDF progress page (bosam/pdf_progress.html): asks every few seconds whether the PDF is ready and then
// fetches it, without reloading the page (no meta refresh: WCAG 2.2.1). Without JavaScript the
// "Försök igen nu" button does the same by hand.
(function () {
  "use strict";
  var box = document.getElementById("pdf-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-url");
  var seconds = parseInt(box.getAttribute("data-seconds"), 10) || 3;
  var status = document.getElementById("pdf-progress-status");
  function ask() {
    fetch(url, { method: "HEAD", headers: { "Accept": "text/html, */*" }, credentials: "same-origin" })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.status === 200 && type.indexOf("application/pdf") === 0) {
          status.textContent = box.getAttribute("data-ready");
          window.location.assign(url);
        } else {
          window.setTimeout(ask, seconds * 1000);
        }
      })
      .catch(function () { window.setTimeout(ask, seconds * 1000); });
  }
  window.setTimeout(ask, seconds * 1000);
})();
