(function () {
  function update() {
    var total = 0, filled = 0, inputs = document.querySelectorAll("#score-sheet input.score");
    inputs.forEach(function (el) {
      var v = parseFloat(el.value);
      if (!isNaN(v)) { total += parseFloat(el.dataset.weight) * v / 100; filled += 1; }
    });
    document.getElementById("score-total").textContent = filled ? total.toFixed(2) : "—";
  }
  document.addEventListener("input", function (e) { if (e.target.matches("input.score")) update(); });
  update();
})();
