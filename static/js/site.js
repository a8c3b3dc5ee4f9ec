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
