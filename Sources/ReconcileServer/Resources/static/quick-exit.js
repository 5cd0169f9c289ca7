// Quick exit: replace this page in the history (so Back does not return here) and go to a neutral site.
// Without JavaScript the link still works as a plain link.
(function () {
  "use strict";
  function leave(event) {
    var link = document.querySelector("[data-quick-exit]");
    if (!link) { return; }
    if (event) { event.preventDefault(); }
    document.body.style.display = "none";
    window.location.replace(link.href);
  }
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target && target.closest && target.closest("[data-quick-exit]")) { leave(event); }
  });
  // Pressing Escape three times in a row also leaves.
  var presses = 0, timer = null;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    presses += 1;
    clearTimeout(timer);
    timer = setTimeout(function () { presses = 0; }, 1500);
    if (presses >= 3) { leave(event); }
  });
})();
