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

// A page restored from the back/forward cache is shown without asking the server. A signed-in family page
// (data-private) is hidden and fetched again instead, so after sign-out the server answers (sign in again),
// never the old page. Without JavaScript, Cache-Control: no-store and Clear-Site-Data do this work.
window.addEventListener("pageshow", function (event) {
  if (event.persisted && document.body && document.body.hasAttribute("data-private")) {
    document.body.style.display = "none";
    window.location.reload();
  }
});

// A signed-in family page leaves for the signed-out page once the session's idle limit has passed since the server
// last saw it (the server has ended the session by then), replacing itself in the history so Back cannot return to
// it. The page says so beside its sign-out button. Without JavaScript the server still ends the session.
(function () {
  "use strict";
  var seconds = Number(document.body && document.body.getAttribute("data-idle-seconds"));
  if (!seconds) { return; }
  setTimeout(function () {
    document.body.style.display = "none";
    window.location.replace("/portal/signed-out?idle=1");
  }, seconds * 1000);
})();

// A show control for the passphrase box (data-reveal): the box is a password field, usable as it is without script.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("input[data-reveal]");
  Array.prototype.forEach.call(boxes, function (box) {
    var show = box.getAttribute("data-show-label") || "Show", hide = box.getAttribute("data-hide-label") || "Hide";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button secondary small reveal";
    button.textContent = show;
    button.setAttribute("aria-controls", box.id);
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      var shown = box.type === "text";
      box.type = shown ? "password" : "text";
      button.textContent = shown ? show : hide;
      button.setAttribute("aria-pressed", shown ? "false" : "true");
    });
    box.parentNode.insertBefore(button, box.nextSibling);
  });
})();
