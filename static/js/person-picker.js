// Person pickers (issue 12 item 1): a <select data-person-picker-for="unit"> lists only the people of the
// unit chosen in the form's field named "unit" (with the form's prefix). Options carry data-unit.
(function () {
  "use strict";
  document.querySelectorAll("select[data-person-picker-for]").forEach(function (picker) {
    var prefix = picker.name.slice(0, picker.name.lastIndexOf("-") + 1);
    var unit = picker.form && picker.form.elements[prefix + picker.dataset.personPickerFor];
    if (!unit) { return; }
    function narrow() {
      Array.prototype.forEach.call(picker.options, function (option) {
        var other = option.value && option.dataset.unit !== unit.value;
        option.hidden = other;
        option.disabled = other;
        if (other && option.selected) { picker.value = ""; }
      });
    }
    unit.addEventListener("change", narrow);
    narrow();
  });
})();
