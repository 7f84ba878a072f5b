/* Times as staff read them: always in the clinic's time zone (the API says which), never the
   browser's, so the inbox, the alert email and the CSV show one request at one time. */

// "Dec 1, 2026, 11:55 PM EST" for a stored time, in the clinic's zone.
export function clinicTime(text, zone) {
  if (!text) { return ""; }
  var moment = new Date(text);
  if (isNaN(moment.getTime())) { return text; }
  var options = { dateStyle: "medium", timeStyle: "short" };
  if (zone) { options.timeZone = zone; }
  var shown = new Intl.DateTimeFormat("en-US", options).format(moment);
  return zone ? shown + " " + zoneName(moment, zone) : shown;
}

// The zone's short name at that moment ("EST", "EDT"), or the zone itself when none is known.
function zoneName(moment, zone) {
  var parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "short" })
    .formatToParts(moment);
  var name = parts.filter(function (part) { return part.type === "timeZoneName"; })[0];
  return name ? name.value : zone;
}

// What the "Waiting" cell says for a row: "2 h 10 min", "1 day 3 h: past target, 2 attempts",
// or "" (someone has reached them).
export function waiting(item) {
  if (!item.waited) { return ""; }
  var text = item.overdue ? item.waited + ": past target" : item.waited;
  if (item.attempts) { text += (item.overdue ? ", " : ": ") + (item.attempts === 1 ? "1 attempt" : item.attempts + " attempts"); }
  return text;
}
