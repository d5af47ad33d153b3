/* Adds the viewer's own time beside each conference time, and the zone picker that chooses it.
 *
 * The server prints every time in the conference's zone inside <time class="when"
 * datetime="UTC start" data-end="UTC end" data-zone="conference zone">, so pages read right
 * without JavaScript. Here we add "18:00–19:30 your time, CEST" when the viewer's zone shows a
 * different clock, with the weekday when the viewer's date differs ("Wed, 00:30"). The zone
 * is the device's unless the viewer picks another, which is remembered in localStorage; times
 * in a picked zone say where they are: "Wed, 01:00–02:30 in Tokyo, GMT+9".
 *
 * The picker exists only once this script has made it (no dead control without JavaScript):
 * common zones first, then every canonical IANA zone (no legacy aliases such as US/Pacific),
 * and a search box that narrows the list.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "opml-viewer-zone";
  // Where most attendees are, west to east; offered before the full list.
  var COMMON_ZONES = [
    "America/Los_Angeles", "America/Denver", "America/Chicago", "America/New_York",
    "America/Sao_Paulo", "UTC", "Europe/London", "Europe/Paris", "Europe/Berlin",
    "Africa/Lagos", "Africa/Johannesburg", "Europe/Moscow", "Asia/Dubai", "Asia/Kolkata",
    "Asia/Shanghai", "Asia/Singapore", "Asia/Tokyo", "Asia/Seoul", "Australia/Sydney",
    "Pacific/Auckland",
  ];
  // Canonical zones are Area/Location; US/Pacific, Etc/GMT+8, EST5EDT and the like are aliases.
  var CANONICAL_RE = /^(Africa|America|Antarctica|Arctic|Asia|Atlantic|Australia|Europe|Indian|Pacific)\//;

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

  /* "Tokyo", "Los Angeles", "Buenos Aires" (America/Argentina/Buenos_Aires). */
  function city(zone) {
    return zone.split("/").pop().replace(/_/g, " ");
  }

  function isValidZone(zone) {
    try {
      new Intl.DateTimeFormat("en", { timeZone: zone });
      return true;
    } catch (error) {
      return false;
    }
  }

  function viewerTime(element, zone, picked) {
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
    var where = picked ? " in " + city(zone) + ", " : " your time, ";
    return text + "–" + endText + where + zoneName(start, zone);
  }

  /* Render in `zone`; `picked` when the viewer chose it and it is not the device's own. */
  function render(zone, picked) {
    document.querySelectorAll("time.when").forEach(function (element) {
      var next = element.nextElementSibling;
      var label = next && next.classList.contains("your-time") ? next : null;
      var text = viewerTime(element, zone, picked);
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

  function option(zone, now) {
    var label = zone === "UTC" ? "UTC" : zone.replace(/_/g, " ") + " (" + zoneName(now, zone) + ")";
    return new Option(label, zone);
  }

  // Browsers list some zones under names IANA has since replaced (ICU keeps the old ones).
  var RENAMED = {
    "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
    "America/Catamarca": "America/Argentina/Catamarca",
    "America/Cordoba": "America/Argentina/Cordoba",
    "America/Jujuy": "America/Argentina/Jujuy",
    "America/Mendoza": "America/Argentina/Mendoza",
    "America/Godthab": "America/Nuuk",
    "America/Indianapolis": "America/Indiana/Indianapolis",
    "America/Louisville": "America/Kentucky/Louisville",
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Rangoon": "Asia/Yangon",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
    "Atlantic/Faeroe": "Atlantic/Faroe",
    "Europe/Kiev": "Europe/Kyiv",
    "Pacific/Enderbury": "Pacific/Kanton",
    "Pacific/Ponape": "Pacific/Pohnpei",
    "Pacific/Truk": "Pacific/Chuuk",
  };

  /* The zones of the full list: canonical names only (current ones where the browser knows
   * them), without those already offered first, in alphabetical order. */
  function allZones(common) {
    var zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
    var seen = {};
    return zones
      .map(function (zone) {
        var renamed = RENAMED[zone];
        return renamed && isValidZone(renamed) ? renamed : zone;
      })
      .filter(function (zone) {
        if (seen[zone] || !CANONICAL_RE.test(zone) || common.indexOf(zone) !== -1) return false;
        seen[zone] = true;
        return true;
      })
      .sort();
  }

  function fillList(select, common, rest, query, zone) {
    var now = new Date();
    var needle = query.trim().toLowerCase().replace(/\s+/g, "_");
    var matches = function (name) { return !needle || name.toLowerCase().indexOf(needle) !== -1; };
    while (select.options.length > 1) select.remove(1);
    select.querySelectorAll("optgroup").forEach(function (group) { group.remove(); });
    [["Common time zones", common], ["All time zones", rest]].forEach(function (pair) {
      var names = pair[1].filter(matches);
      if (!names.length) return;
      var group = document.createElement("optgroup");
      group.label = pair[0];
      names.forEach(function (name) { group.append(option(name, now)); });
      select.append(group);
    });
    if (zone && !select.querySelector('option[value="' + zone + '"]')) select.add(option(zone, now));
    select.value = zone;
  }

  /* Closed, the picker is one short line in the header ("Time zone"); open, its fields. */
  function makePicker(zone) {
    var picker = document.createElement("details");
    picker.className = "zone-picker";
    var summary = document.createElement("summary");
    summary.textContent = "Time zone";
    var fields = document.createElement("div");
    fields.className = "zone-fields";
    var label = document.createElement("label");
    label.htmlFor = "viewer-zone";
    label.textContent = "Also show times in";
    var select = document.createElement("select");
    select.id = "viewer-zone";
    select.add(new Option("this device’s time zone (" + deviceZone() + ")", ""));
    var searchLabel = document.createElement("label");
    searchLabel.htmlFor = "viewer-zone-search";
    searchLabel.textContent = "Find a zone";
    var search = document.createElement("input");
    search.type = "search";
    search.id = "viewer-zone-search";
    search.placeholder = "city, e.g. Tokyo";
    search.autocomplete = "off";
    fields.append(label, select, searchLabel, search);
    picker.append(summary, fields);

    var common = COMMON_ZONES.filter(isValidZone);
    var rest = allZones(common);
    fillList(select, common, rest, "", zone);
    search.addEventListener("input", function () {
      fillList(select, common, rest, search.value, select.value);
    });
    select.addEventListener("change", function () {
      storeZone(select.value);
      render(select.value || deviceZone(), Boolean(select.value) && select.value !== deviceZone());
    });
    return picker;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var zone = storedZone();
    // The picker only matters on pages that show times: beside the page's note on its times
    // if it has one, else in the header.
    var place = document.querySelector("[data-zone-picker-slot]") || document.querySelector(".site-header");
    if (place && document.querySelector("time.when")) place.append(makePicker(zone));
    render(zone || deviceZone(), Boolean(zone) && zone !== deviceZone());
  });
})();
