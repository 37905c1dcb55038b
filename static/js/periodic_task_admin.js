// The admin's periodic task form (django-celery-beat): show the chosen crontab in words.
// Moved out of the package's inline script so that it runs under script-src 'self'.
"use strict";
(function () {
  const $ = window.django && window.django.jQuery;
  if (!$) {
    return;
  }
  $(function () {
    const readableCrontabs = JSON.parse($("#readable-crontabs").text());
    const originalHelp = $("#crontab-help-text").text();
    const help = $(".field-crontab .help");
    $(".field-crontab_translation").hide();
    $(".field-crontab").on("change", function () {
      const words = readableCrontabs[$("#id_crontab").val()] || "";
      help.text(originalHelp);
      if (words) {
        help.append("<br>").append(document.createTextNode("Translation: " + words));
      }
    });
  });
})();
