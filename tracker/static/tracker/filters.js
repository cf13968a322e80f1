// The obligation list's filters are folded into a <details> for phones; on a
// wider screen there is room, so they start unfolded (a script file: the CSP
// allows no inline script).
document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
  if (window.matchMedia("(min-width: 601px)").matches) { details.open = true; }
});
