/* "My picks": attendees star sessions and talks; the stars live in this browser (localStorage,
 * no account) and become a calendar feed URL that lists them.
 *
 * Star buttons are <button data-pick="UID" aria-pressed hidden> (hidden until this script runs,
 * so that pages without JavaScript show no dead buttons). The panel [data-picks-feed] carries
 * data-url="/picks/TOKEN.ics" from the server; TOKEN becomes the picks: the 16 bytes of each UID,
 * sorted, in unpadded base64url, exactly as program/picks.py reads them.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "opml-picks";
  var MAX_PICKS = 100;
  var UID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  function load() {
    try {
      var stored = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "[]");
      return Array.isArray(stored) ? stored.filter(function (uid) { return UID_RE.test(uid); }) : [];
    } catch (error) {
      return [];
    }
  }

  function save(picks) {
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(picks));
    } catch (error) {
      /* Private browsing without storage: the stars last for this page only. */
    }
  }

  function token(picks) {
    var hex = picks.map(function (uid) { return uid.replace(/-/g, ""); }).sort().join("");
    var binary = "";
    for (var i = 0; i < hex.length; i += 2) {
      binary += String.fromCharCode(parseInt(hex.substr(i, 2), 16));
    }
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function render(picks) {
    document.querySelectorAll("button[data-pick]").forEach(function (button) {
      var picked = picks.indexOf(button.dataset.pick) !== -1;
      button.setAttribute("aria-pressed", picked ? "true" : "false");
      button.querySelector("[data-pick-label]").textContent = picked ? "Picked" : "Pick";
      button.hidden = false;
    });
    document.querySelectorAll("[data-picks-feed]").forEach(function (panel) {
      panel.hidden = picks.length === 0;
      if (!picks.length) return;
      var path = panel.dataset.url.replace("TOKEN", token(picks));
      panel.querySelector("[data-picks-count]").textContent =
        picks.length === 1 ? "1 session or talk" : picks.length + " sessions and talks";
      panel.querySelector("[data-picks-subscribe]").href = "webcal://" + window.location.host + path;
      panel.querySelector("[data-picks-download]").href = path;
      panel.querySelector("[data-picks-full]").hidden = picks.length < MAX_PICKS;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var picks = load();
    document.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-pick]");
      if (!button) return;
      var uid = button.dataset.pick;
      var index = picks.indexOf(uid);
      if (index !== -1) {
        picks.splice(index, 1);
      } else if (picks.length < MAX_PICKS) {
        picks.push(uid);
      }
      save(picks);
      render(picks);
    });
    render(picks);
  });
})();
