/* The call-back figures as staff read them: minutes as "2 h 10 min", and the bars of the
   eight-week chart (the median per week, the 90th percentile as a mark), computed here so that
   node's tests check the numbers; main.js only draws them. */

export function minutesText(minutes) {
  if (minutes === null || minutes === undefined) { return "none"; }
  var days = Math.floor(minutes / 1440);
  var hours = Math.floor((minutes % 1440) / 60);
  var rest = minutes % 60;
  if (days) { return days + (days === 1 ? " day" : " days") + (hours ? " " + hours + " h" : ""); }
  if (hours) { return hours + " h" + (rest ? " " + rest + " min" : ""); }
  return rest + " min";
}

// Bars in a width x height box (bottom 16 units keep the week labels): one per week, its height
// the week's median against the largest 90th percentile shown, and a mark at its 90th percentile.
export function chartBars(weeks, width, height) {
  var plot = height - 16;
  var top = Math.max(1, ...weeks.map(function (w) { return w.p90_minutes || 0; }));
  var slot = width / Math.max(1, weeks.length);
  return weeks.map(function (week, i) {
    var median = week.median_minutes || 0;
    var p90 = week.p90_minutes || 0;
    var h = Math.round((median / top) * plot);
    return {
      x: Math.round(i * slot + slot * 0.2),
      width: Math.round(slot * 0.6),
      y: plot - h,
      height: h,
      mark: week.p90_minutes === null || week.p90_minutes === undefined ? null : plot - Math.round((p90 / top) * plot),
      label: week.start.slice(5).replace("-", "/")
    };
  });
}

// "This week: 12 first contacts, median 3 h 10 min, 90th percentile 1 day 2 h."
export function summaryText(figures) {
  var week = figures.weeks[figures.weeks.length - 1];
  var contacts = week.contacts === 1 ? "1 first contact" : week.contacts + " first contacts";
  var timing = week.contacts
    ? ", median " + minutesText(week.median_minutes) + ", 90th percentile " + minutesText(week.p90_minutes)
    : "";
  var late = figures.past_target === 1 ? "1 request" : figures.past_target + " requests";
  var urgent = figures.urgent_past_target ? " (" + figures.urgent_past_target + " urgent)" : "";
  return "This week: " + contacts + timing + ". Past the call-back target now: " + late + urgent + ".";
}
