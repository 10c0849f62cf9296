(function () {
  function update() {
    var total = 0;
    document.querySelectorAll("#score-sheet input.score").forEach(function (el) {
      var v = parseFloat(el.value); if (!isNaN(v)) total += v;
    });
    document.getElementById("score-total").textContent = total.toFixed(1);
  }
  document.addEventListener("input", function (e) { if (e.target.matches("input.score")) update(); });
  update();
})();
