// Progressive enhancements. Pages work without this file.
(function () {
  "use strict";
  // Buttons that change something important ask first: <button data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
  // Move focus to the error summary so keyboard and screen-reader users hear it.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".errorsummary");
    if (summary) { summary.focus(); }
  });
})();
