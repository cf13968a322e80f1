// The assignment forms: once a department is chosen, the responsible person is
// offered from that department's members only (the server refuses anyone else).
// A file, not inline: the CSP allows scripts from this server only.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form").forEach(function (form) {
    var department = form.querySelector("select[name=department]");
    var owner = form.querySelector("select[name=owner]");
    if (!department || !owner) {
      return;
    }
    function filter() {
      var chosen = department.value
        ? department.options[department.selectedIndex].text
        : null;
      owner.querySelectorAll("optgroup").forEach(function (group) {
        var hide = chosen !== null && group.label !== chosen;
        group.hidden = hide;
        group.disabled = hide;
      });
      var selected = owner.options[owner.selectedIndex];
      if (selected && selected.parentNode.disabled) {
        // A member of several departments is listed in each: keep the person
        // if the chosen department lists them too.
        var same = Array.prototype.find.call(owner.options, function (option) {
          return option.value === selected.value && !option.parentNode.disabled;
        });
        if (same) {
          same.selected = true;
        } else {
          owner.value = "";
        }
      }
    }
    department.addEventListener("change", filter);
    filter();
  });
});
