// Evidence uploads with a progress bar and no full reload (issue 25, item 4).
// The form posts as always (without this script it still does, and the server
// redirects back to the page); here it goes by XHR so that the upload's progress
// can be shown, and the page the server answers with (the obligation page after
// the redirect, or the same page with the form's errors) gives the sections that
// changed: the evidence list, the status card (whose checklist counts the
// files), the timeline and the messages. A file, not inline: the CSP allows
// scripts from this server only.
(function () {
  "use strict";
  var SECTIONS = ["evidence", "status", "review-next", "timeline"];

  // Returns false when the answer is not the obligation page (a login page
  // after the session ended, say): then nothing is swapped.
  function swapSections(html) {
    var answer = new DOMParser().parseFromString(html, "text/html");
    if (!answer.getElementById("evidence")) {
      return false;
    }
    SECTIONS.forEach(function (id) {
      var mine = document.getElementById(id);
      var theirs = answer.getElementById(id);
      if (mine && theirs) {
        mine.replaceWith(document.importNode(theirs, true));
      }
    });
    var main = document.getElementById("main");
    var old = main.querySelector(":scope > .messages");
    var fresh = answer.querySelector("#main > .messages");
    if (old) {
      old.remove();
    }
    if (fresh) {
      main.insertBefore(document.importNode(fresh, true), main.firstChild);
    }
    return true;
  }

  function progressOf(form) {
    var box = form.querySelector(".upload-progress");
    if (!box) {
      box = document.createElement("p");
      box.className = "upload-progress";
      box.setAttribute("role", "status");
      box.innerHTML = "<progress max=\"100\" value=\"0\"></progress> <span></span>";
      form.appendChild(box);
    }
    return box;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-upload-progress") || !window.FormData) {
      return;
    }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var box = progressOf(form);
    var bar = box.querySelector("progress");
    var label = box.querySelector("span");
    var words = form.dataset;
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) {
        var percent = Math.round((progress.loaded / progress.total) * 100);
        bar.value = percent;
        label.textContent = words.uploading + " " + percent + "%";
      }
    });
    request.upload.addEventListener("load", function () {
      bar.value = 100;
      label.textContent = words.checking;
    });
    request.addEventListener("load", function () {
      if (request.status === 403 || request.status >= 500 || !request.responseText) {
        label.textContent = words.failed;
        button.disabled = false;
        return;
      }
      // 200 after the redirect, 400 or 409 with the form's errors: both are the
      // obligation page, drawn after the upload was stored or refused.
      if (!swapSections(request.responseText)) {
        label.textContent = words.failed;
        button.disabled = false;
        return;
      }
      var status = document.querySelector("#main > .messages");
      if (status) {
        status.scrollIntoView({ block: "nearest" });
      }
    });
    request.addEventListener("error", function () {
      label.textContent = words.failed;
      button.disabled = false;
    });
    button.disabled = true;
    label.textContent = words.uploading + " 0%";
    request.send(new FormData(form));
  });
})();
