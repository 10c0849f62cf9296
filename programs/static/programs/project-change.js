(function () {
  var form = document.querySelector("form.change-form"), kind = form.querySelector("select[name$=kind]");
  function show() { form.querySelectorAll(".change-value").forEach(function (el) { el.hidden = el.dataset.kind !== kind.value; }); }
  kind.addEventListener("change", show); show();
})();
