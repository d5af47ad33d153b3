/* Adds the viewer's own time beside each conference time, and the zone picker that chooses it.
 *
 * The server prints every time in the conference's zone inside <time class="when"
 * datetime="UTC start" data-end="UTC end" data-zone="conference zone">, so pages read right
 * without JavaScript. Here we add "18:00–19:30 your time, CEST" when the viewer's zone shows a
 * different clock, with the weekday when the viewer's date differs ("Wed, 00:30"). The zone
 * is the device's unless the viewer picks another, which is remembered in localStorage.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "opml-viewer-zone";

  /* The remembered zone, if this browser still knows it. */
  function storedZone() {
    try {
      var zone = window.localStorage.getItem(STORAGE_KEY) || "";
      if (zone) new Intl.DateTimeFormat("en", { timeZone: zone });
      return zone;
    } catch (error) {
      return "";
    }
  }

  function storeZone(zone) {
    try {
      if (zone) {
        window.localStorage.setItem(STORAGE_KEY, zone);
      } else {
        window.localStorage.removeItem(STORAGE_KEY);
      }
    } catch (error) {
      /* Private browsing may refuse storage: the choice then lasts for this page only. */
    }
  }

  function deviceZone() {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
  }

  function parts(date, zone, options) {
    var result = {};
    new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: zone }, options))
      .formatToParts(date)
      .forEach(function (part) {
        result[part.type] = part.value;
      });
    return result;
  }

  function clock(date, zone) {
    var p = parts(date, zone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    return p.hour + ":" + p.minute;
  }

  function dayKey(date, zone) {
    var p = parts(date, zone, { year: "numeric", month: "2-digit", day: "2-digit" });
    return p.year + "-" + p.month + "-" + p.day;
  }

  function weekday(date, zone) {
    return parts(date, zone, { weekday: "short" }).weekday;
  }

  /* "CEST" or "PDT" where a locale knows the abbreviation, else "GMT+9". */
  function zoneName(date, zone) {
    var names = ["en-US", "en-GB"].map(function (locale) {
      return new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "short" })
        .formatToParts(date)
        .filter(function (part) {
          return part.type === "timeZoneName";
        })[0].value;
    });
    return names.filter(function (name) { return !/^(GMT|UTC)[+-]/.test(name); })[0] || names[0];
  }

  function viewerTime(element, zone) {
    var start = new Date(element.dateTime);
    var end = new Date(element.dataset.end);
    var home = element.dataset.zone;
    if (clock(start, zone) === clock(start, home) && dayKey(start, zone) === dayKey(start, home)) {
      return "";
    }
    var text = clock(start, zone);
    if (dayKey(start, zone) !== dayKey(start, home)) {
      text = weekday(start, zone) + ", " + text;
    }
    var endText = clock(end, zone);
    if (dayKey(end, zone) !== dayKey(start, zone)) {
      endText = weekday(end, zone) + ", " + endText;
    }
    return text + "–" + endText + " your time, " + zoneName(start, zone);
  }

  function render(zone) {
    document.querySelectorAll("time.when").forEach(function (element) {
      var next = element.nextElementSibling;
      var label = next && next.classList.contains("your-time") ? next : null;
      var text = viewerTime(element, zone);
      if (!text) {
        if (label) label.remove();
        return;
      }
      if (!label) {
        label = document.createElement("span");
        label.className = "your-time";
        element.after(label);
      }
      label.textContent = text;
    });
  }

  function setUpPicker(select, zone) {
    var zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
    select.options[0].textContent = "this device’s time zone (" + deviceZone() + ")";
    zones.forEach(function (name) {
      select.add(new Option(name.replace(/_/g, " "), name));
    });
    if (zone && zones.indexOf(zone) === -1) {
      select.add(new Option(zone.replace(/_/g, " "), zone));
    }
    select.value = zone;
    select.addEventListener("change", function () {
      storeZone(select.value);
      render(select.value || deviceZone());
    });
    select.closest(".zone-picker").hidden = false;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var zone = storedZone();
    var select = document.getElementById("viewer-zone");
    // The picker only matters on pages that show times.
    if (select && document.querySelector("time.when")) setUpPicker(select, zone);
    render(zone || deviceZone());
  });
})();
