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

// The country, preselected from the browser's language when it names a region
// ("es-MX": Mexico), unless one is chosen already (a form sent back). Done
// here, not on the server, so that the page stays the same for everyone and
// any cache may keep it; without JavaScript nothing is preselected.
document.addEventListener("DOMContentLoaded", function () {
  var select = document.querySelector(".sign-form select[name=country]");
  if (!select || select.value) {
    return;
  }
  var languages = navigator.languages || [navigator.language];
  for (var i = 0; i < languages.length; i++) {
    var region = (languages[i] || "").split("-")[1];
    if (region && /^[A-Za-z]{2}$/.test(region)) {
      var option = select.querySelector('option[value="' + region.toUpperCase() + '"]');
      if (option) {
        select.value = option.value;
        return;
      }
    }
  }
});
