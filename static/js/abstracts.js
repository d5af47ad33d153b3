// The program page's "Show all abstracts" switch. Without JavaScript the page offers a link to
// ?abstracts=all (rendered open by the server); this script swaps it for a button that opens or
// closes every abstract and session description in place, and opens them all for printing
// (browsers do not print the content of closed <details>), closing them again afterwards.
(function () {
  "use strict";

  function allDetails() {
    return Array.prototype.slice.call(document.querySelectorAll("main details"));
  }

  function setup() {
    var link = document.querySelector(".abstracts-link");
    if (!link) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "abstracts-switch";
    function update() {
      var details = allDetails();
      var open = details.length > 0 && details.every(function (d) { return d.open; });
      button.textContent = open ? "Hide all abstracts" : "Show all abstracts";
      button.setAttribute("aria-pressed", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-pressed") !== "true";
      allDetails().forEach(function (d) { d.open = open; });
      update();
    });
    document.addEventListener("toggle", update, true);
    link.replaceWith(button);
    update();

    var closedForPrint = [];
    window.addEventListener("beforeprint", function () {
      closedForPrint = allDetails().filter(function (d) { return !d.open; });
      closedForPrint.forEach(function (d) { d.open = true; });
    });
    window.addEventListener("afterprint", function () {
      closedForPrint.forEach(function (d) { d.open = false; });
      closedForPrint = [];
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
