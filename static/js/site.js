// Progressive enhancement only: every page works without this file.
"use strict";

// After a form comes back with errors, move focus to the summary of what to
// fix, so keyboard and screen-reader users start there (it links to each field).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("form-errors");
  if (summary) {
    summary.focus();
  }
});

// Sharing: the phone's own share sheet where it has one (Web Share API), and a
// button that copies the link. Each sits in a hidden list item, shown only
// where the browser can do it; the plain links beside them work everywhere.
document.addEventListener("DOMContentLoaded", function () {
  var status = document.querySelector(".share-status");
  document.querySelectorAll("[data-share-text]").forEach(function (button) {
    if (!navigator.share) {
      return;
    }
    button.closest("li").hidden = false;
    button.addEventListener("click", function () {
      navigator
        .share({ title: button.dataset.shareTitle, text: button.dataset.shareText })
        .catch(function () {}); // dismissed: nothing to do
    });
  });
  document.querySelectorAll("[data-copy-link]").forEach(function (button) {
    if (!navigator.clipboard || !window.isSecureContext) {
      return;
    }
    button.closest("li").hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.copyLink).then(function () {
        if (status) {
          status.textContent = button.dataset.copied;
        }
      });
    });
  });
});
