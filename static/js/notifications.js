// The bell's count of unread notifications (issue 15 §5), fetched after the page has loaded so that no page
// pays a database query for it. Without JavaScript the link still leads to the list.
(function () {
  var bell = document.getElementById("notification-bell");
  var badge = document.getElementById("notification-count");
  if (!bell || !badge || !window.fetch) { return; }
  fetch(bell.dataset.countUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data || !data.unread) { return; }
      badge.textContent = String(data.unread);
      badge.hidden = false;
      bell.setAttribute("aria-label", bell.textContent.trim().replace(/\s*\d+$/, "") + ": " + data.unread + " " +
        (document.documentElement.lang === "en" ? "unread" : "olästa"));
    })
    .catch(function () {});
})();
