/* The merge confirmation page (templates/admin/speakers/merge_base.html): choosing another record
 * to keep asks the server for that merge's plan at once, so the plan shown is always the one
 * "Yes, merge" carries out. Without JavaScript the "Update the plan" button does the same. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".merge form");
    if (!form) return;
    var update = form.querySelector('button[name="preview"]');
    form.querySelectorAll('input[name="target"]').forEach(function (radio) {
      radio.addEventListener("change", function () {
        var plan = document.getElementById("merge-plan");
        if (plan) plan.setAttribute("aria-busy", "true");
        form.querySelectorAll('button[name="post"]').forEach(function (button) {
          button.disabled = true;
        });
        update.click();
      });
    });
  });
})();
