// The header's menu (base.html): folded on phones, open elsewhere. Loaded right
// after the menu, not deferred, so a phone never draws the unfolded header
// first. Without this script the menu stays open, as the markup says.
(function () {
  "use strict";
  var menu = document.getElementById("nav-menu");
  if (!menu || !window.matchMedia) {
    return;
  }
  // Keep in step with the 640px breakpoint of app.css.
  var small = window.matchMedia("(max-width: 640px)");
  function fit() {
    menu.open = !small.matches;
  }
  fit();
  if (small.addEventListener) {
    small.addEventListener("change", fit);
  }
})();
