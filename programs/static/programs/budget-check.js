(function () {
  var state = document.getElementById("budget-state");
  function num(el) { var v = parseFloat(el && el.value); return isNaN(v) ? 0 : v; }
  function update() {
    var total = 0;
    document.querySelectorAll(".budget-amount").forEach(function (el) { total += num(el); });
    var funding = num(document.getElementById("id_requested_funding")) + num(document.getElementById("id_self_funding"));
    document.getElementById("budget-total").textContent = total.toFixed(2);
    document.getElementById("budget-funding").textContent = funding.toFixed(2);
    var ok = Math.abs(total - funding) < 0.005;
    state.textContent = ok ? "✓ " + state.dataset.ok : "✗ " + state.dataset.bad;
    state.className = ok ? "ok" : "bad";
  }
  document.addEventListener("input", function (e) {
    if (e.target.matches(".budget-amount, #id_requested_funding, #id_self_funding")) update();
  });
  update();
})();
