// Reads an iCalendar file with three independent JavaScript parsers and prints, as JSON, what
// each understood of every event: node-ical and npm's ical (what Node calendar bots and
// MagicMirror use) and ical.js (Mozilla's, in Thunderbird and many web calendars).
// Usage: node read_calendar.cjs FILE.ics
"use strict";
const fs = require("fs");
const nodeIcal = require("node-ical");
const ical = require("ical");
const ICAL = require("ical.js");

const text = fs.readFileSync(process.argv[2], "utf8");

function plain(value) {
  // What an app shows: a string, or "[object]" when a parser made an object of the value.
  if (value === undefined || value === null) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return { object: true, val: value.val ?? null, params: value.params ?? null };
  return String(value);
}

function fromNodeStyle(parsed) {
  return Object.values(parsed)
    .filter((item) => item.type === "VEVENT")
    .map((event) => ({
      uid: plain(event.uid),
      summary: plain(event.summary),
      description: plain(event.description),
      location: plain(event.location),
      url: plain(event.url),
      start: plain(event.start),
      end: plain(event.end),
      sequence: plain(event.sequence),
      status: plain(event.status),
    }));
}

function fromIcalJs() {
  const calendar = new ICAL.Component(ICAL.parse(text));
  return {
    name: calendar.getFirstPropertyValue("name"),
    events: calendar.getAllSubcomponents("vevent").map((vevent) => {
      const event = new ICAL.Event(vevent);
      return {
        uid: event.uid,
        summary: event.summary,
        description: event.description,
        location: event.location,
        url: plain(vevent.getFirstPropertyValue("url")),
        start: event.startDate.toJSDate().toISOString(),
        end: event.endDate.toJSDate().toISOString(),
        sequence: String(event.sequence),
        status: vevent.getFirstPropertyValue("status"),
        conference: vevent.getFirstPropertyValue("conference"),
      };
    }),
  };
}

console.log(
  JSON.stringify({
    "node-ical": fromNodeStyle(nodeIcal.sync.parseICS(text)),
    ical: fromNodeStyle(ical.parseICS(text)),
    "ical.js": fromIcalJs(),
  }),
);
