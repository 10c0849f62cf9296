(function () {
  // A form sent back with errors is shown again further down: bring it into view.
  var bad = document.querySelector("section.card form .has-error, section.card form .msg.error");
  if (bad) bad.closest("form").scrollIntoView({block: "center"});
})();
