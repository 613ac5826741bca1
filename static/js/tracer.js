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
    // On a phone the main menu folds behind one button; without this script it stays open.
    var toggle = document.querySelector(".menutoggle");
    var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
    if (toggle && menu) {
      menu.classList.add("mainnav--folding");
      toggle.hidden = false;
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        menu.classList.toggle("mainnav--open", open);
      });
    }
  });
})();
