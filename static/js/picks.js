/* "My picks": attendees star sessions and talks, and subscribe to one calendar feed whose
 * address never changes (program/picks.py keeps the list on the server, without an account).
 *
 * The server's HTML holds no controls, only places for them: <span data-pick="UID"
 * data-pick-title="…"> for a star, <div data-picks-feed> for the panel with the feed links, and on
 * a list's own page <section data-picks-page="FEED">. This script creates the buttons, so pages
 * without JavaScript show no dead controls.
 *
 * localStorage keeps "opml-picks" (the picked UIDs, to draw the stars at once) and
 * "opml-picks-list" ({feed, edit}: the read-only feed secret and the secret that may change or
 * delete the list). Every change sends the whole list (PUT), one request at a time.
 */
(function () {
  "use strict";

  var PICKS_KEY = "opml-picks";
  var LIST_KEY = "opml-picks-list";
  var MAX_PICKS = 100;
  var API = "/picks/lists/";
  var UID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  var FEED_RE = /^[A-Za-z0-9_-]{32}$/;

  function read(key, fallback) {
    try {
      var value = JSON.parse(window.localStorage.getItem(key) || "null");
      return value === null ? fallback : value;
    } catch (error) {
      return fallback;
    }
  }

  function write(key, value) {
    try {
      if (value === null) {
        window.localStorage.removeItem(key);
      } else {
        window.localStorage.setItem(key, JSON.stringify(value));
      }
    } catch (error) {
      /* Private browsing without storage: the picks last for this page only. */
    }
  }

  function loadPicks() {
    var stored = read(PICKS_KEY, []);
    return Array.isArray(stored) ? stored.filter(function (uid) { return UID_RE.test(uid); }) : [];
  }

  function loadList() {
    var list = read(LIST_KEY, null);
    return list && FEED_RE.test(list.feed || "") && typeof list.edit === "string" ? list : null;
  }

  var picks = [];
  var list = null;
  var csrfToken = null;
  var queue = Promise.resolve();
  var status = "";

  function feedPath() { return "/picks/" + list.feed + ".ics"; }
  function pagePath() { return "/picks/" + list.feed + "/"; }

  function csrf() {
    if (csrfToken) return Promise.resolve(csrfToken);
    return fetch(API, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) { csrfToken = data.csrf_token; return csrfToken; });
  }

  function send(method, url, body) {
    return csrf().then(function (token) {
      var headers = { "X-CSRFToken": token, "Content-Type": "application/json" };
      if (list) headers["X-Picks-Edit"] = list.edit;
      return fetch(url, {
        method: method,
        credentials: "same-origin",
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    });
  }

  /* Bring the server's list up to date with `picks`: create it on the first pick; make a new
   * one if it was deleted or expired. Requests run one after another, the last state wins. */
  function sync() {
    queue = queue.then(function () {
      var items = picks.slice();
      var request;
      if (list) {
        request = send("PUT", API + list.feed + "/", { items: items }).then(function (response) {
          if (response.status !== 404) return response;
          list = null;
          write(LIST_KEY, null);
          return send("POST", API, { items: items });
        });
      } else if (items.length) {
        request = send("POST", API, { items: items });
      } else {
        return null;
      }
      return request.then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) {
            status = data.error || "Your picks could not be saved.";
          } else {
            status = "";
            if (data.edit) {
              list = { feed: data.feed, edit: data.edit };
              write(LIST_KEY, list);
            }
          }
          render();
        });
      });
    }).catch(function () {
      status = "Your picks could not be saved: check your connection.";
      render();
    });
    return queue;
  }

  /* Say what a pick did, for screen readers (the star's change is silent to them). */
  function announce(text) {
    var region = document.querySelector("[data-picks-announce]");
    if (!region) {
      region = document.createElement("p");
      region.className = "visually-hidden";
      region.setAttribute("aria-live", "polite");
      region.dataset.picksAnnounce = "";
      document.body.append(region);
    }
    region.textContent = text;
  }

  function countText(n) {
    return n === 1 ? "1 pick" : n + " picks";
  }

  function toggle(uid, title) {
    var index = picks.indexOf(uid);
    if (index !== -1) {
      picks.splice(index, 1);
      announce("Removed “" + title + "” from my picks. " + countText(picks.length) + ".");
    } else if (picks.length < MAX_PICKS) {
      picks.push(uid);
      announce("Picked “" + title + "”. " + countText(picks.length) + ".");
    }
    write(PICKS_KEY, picks);
    render();
    sync();
  }

  function makeStar(slot) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "pick";
    button.dataset.pickButton = slot.dataset.pick;
    button.setAttribute("aria-label", "Pick “" + slot.dataset.pickTitle + "” for my calendar");
    var star = document.createElement("span");
    star.className = "pick-star";
    star.setAttribute("aria-hidden", "true");
    star.textContent = "☆";
    var label = document.createElement("span");
    label.className = "pick-label";
    button.append(star, " ", label);
    button.addEventListener("click", function () { toggle(slot.dataset.pick, slot.dataset.pickTitle); });
    slot.append(button);
  }

  function link(text, href, attributes) {
    var a = document.createElement("a");
    a.textContent = text;
    a.href = href;
    Object.keys(attributes || {}).forEach(function (name) { a.setAttribute(name, attributes[name]); });
    return a;
  }

  function renderPanel(panel) {
    panel.replaceChildren();
    if (!picks.length && !status) return;
    var aside = document.createElement("aside");
    aside.className = "picks-feed";
    aside.setAttribute("aria-label", "My picks");
    var line = document.createElement("p");
    if (picks.length) {
      line.append(
        "You picked " + (picks.length === 1 ? "1 session or talk" : picks.length + " sessions and talks") + ". "
      );
    }
    if (list) {
      line.append(
        link("My picks", pagePath()), " · ",
        link("Subscribe to my picks", "webcal://" + window.location.host + feedPath(), { "data-picks-subscribe": "" }),
        " (the address stays the same when you pick more) · ",
        link("Download .ics", feedPath(), { download: "my-picks.ics" })
      );
    } else if (picks.length && !status) {
      line.append("Saving…");
    }
    aside.append(line);
    if (picks.length >= MAX_PICKS) {
      var full = document.createElement("p");
      full.textContent = "That is " + MAX_PICKS + " picks, the most one list can hold.";
      aside.append(full);
    }
    if (status) {
      var problem = document.createElement("p");
      problem.setAttribute("role", "alert");
      problem.textContent = status;
      aside.append(problem);
    }
    panel.append(aside);
  }

  /* On a list's own page, the browser that made the list may take an item off it. */
  function addUnpick(item) {
    if (item.querySelector("[data-unpick]")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "pick unpick";
    button.dataset.unpick = "";
    button.textContent = "Un-pick";
    button.setAttribute("aria-label", "Un-pick “" + item.dataset.pickedTitle + "”");
    button.addEventListener("click", function () {
      if (picks.indexOf(item.dataset.picked) !== -1) toggle(item.dataset.picked, item.dataset.pickedTitle);
      item.remove();
    });
    item.append(button);
  }

  /* On a list's own page, the browser that made the list may delete it. */
  function renderPage(page) {
    if (list && list.feed === page.dataset.picksPage) page.querySelectorAll("[data-picked]").forEach(addUnpick);
    if (!list || list.feed !== page.dataset.picksPage || page.querySelector("[data-picks-delete]")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "pick";
    button.dataset.picksDelete = "";
    button.textContent = "Delete my picks and their feed";
    button.addEventListener("click", function () {
      queue = queue.then(function () {
        return send("DELETE", API + list.feed + "/").then(function (response) {
          if (!response.ok && response.status !== 404) throw new Error("not deleted");
          list = null;
          picks = [];
          write(LIST_KEY, null);
          write(PICKS_KEY, null);
          window.location.assign("/picks/");
        });
      }).catch(function () {
        status = "Your picks could not be deleted: try again.";
        render();
      });
    });
    var paragraph = document.createElement("p");
    paragraph.append(button);
    page.append(paragraph);
  }

  function render() {
    document.querySelectorAll("button[data-pick-button]").forEach(function (button) {
      var picked = picks.indexOf(button.dataset.pickButton) !== -1;
      button.setAttribute("aria-pressed", picked ? "true" : "false");
      button.querySelector(".pick-label").textContent = picked ? "Picked" : "Pick";
      button.querySelector(".pick-star").textContent = picked ? "★" : "☆";
      // A talk whose session is picked is in the session's calendar event already.
      var session = button.closest("article.session");
      var sessionSlot = session && session.querySelector(".session-header [data-pick]");
      var covered = Boolean(
        !picked && sessionSlot && sessionSlot !== button.parentNode &&
        picks.indexOf(sessionSlot.dataset.pick) !== -1
      );
      button.classList.toggle("is-covered", covered);
      button.title = covered ? "In your pick of its session" : "";
    });
    document.querySelectorAll("[data-picks-count]").forEach(function (count) {
      count.textContent = picks.length ? " (" + picks.length + ")" : "";
    });
    document.querySelectorAll("[data-picks-feed]").forEach(renderPanel);
    document.querySelectorAll("[data-picks-page]").forEach(renderPage);
  }

  document.addEventListener("DOMContentLoaded", function () {
    picks = loadPicks();
    list = loadList();
    // "My picks" without a list in the address: go to this browser's list.
    if (list && window.location.pathname === "/picks/") {
      window.location.replace(pagePath());
      return;
    }
    document.querySelectorAll("[data-pick]").forEach(makeStar);
    render();
    // Picks kept by the first version (in this browser only) move to a list on the server.
    if (picks.length && !list) sync();
  });
})();
