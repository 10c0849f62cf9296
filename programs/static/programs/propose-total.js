(function () {
  var form = document.querySelector("form.propose");
  function update() {
    var total = 0;
    form.querySelectorAll("tbody tr").forEach(function (row) {
      var box = row.querySelector("input[type=checkbox]"), amount = row.querySelector("input.amount");
      var v = parseFloat(amount.value);
      if (box.checked && !isNaN(v)) total += v;
    });
    document.getElementById("propose-total").textContent = total.toFixed(2);
  }
  form.addEventListener("input", update); form.addEventListener("change", update); update();
})();
