/* Riverbend Clinic staff inbox: sign in, list, open, mark, and (admins) erase and export.
   Plain JavaScript modules, no dependencies. Sign-in is Cognito's authorization-code flow with
   PKCE (in AWS the managed login page; locally the local stack's stand-in, same endpoints).
   Tokens live in this page's memory only: never in localStorage, sessionStorage or a URL.
   After IDLE minutes without a key press or a click the page forgets what it showed, revokes
   the session and signs out. Everything shown is set with textContent, never as HTML. */

import { createIdleWatch } from "./idle.js";
import {
  ALERT_LABELS, ATTEMPT_LABELS, CONFIRMATION_LABELS, CONTACT_LABELS, OUTCOME_LABELS, REASONS, STATUS_LABELS,
  undelivered,
  TIME_LABELS, VISIT_LABELS
} from "./labels.js";
import { mailto, tel } from "./links.js";
import { challengeFor, randomText } from "./pkce.js";
import { chartBars, minutesText, summaryText } from "./figures.js";
import { clinicTime, waiting } from "./times.js";
import { createApi, needsRefresh, tokenCall as tokenRequest } from "./session.js";

var API = "/api/staff";
var PKCE_KEY = "staff.pkce";        // verifier, state and the route to return to (one redirect)
var REASON_KEY = "staff.signed_out"; // why the last session ended, shown after the sign-out
var config = null;
var session = null;   // { id, access, refresh, expiresAt } in memory only
var me = null;        // { name, groups, admin }
var current = null;   // the request shown on the detail view
var flash = "";       // a message for the next view (e.g. "Erased" above the list)
var idleWatch = null;
var zone = "";        // the clinic's time zone (the API says it): every time is shown in it
var nextPage = null;  // the list's cursor for "Show more" (opaque: the API checks it)
var ESCALATION_STATES = { sending: "sending", sent: "sent", failed: "failed" };
var CAPTIONS = {
  callback: "Appointment requests nobody has reached yet: urgent first, then the longest waiting first",
  held: "Appointment requests whose staff alert the alert limit held, newest first"
};

function $(id) { return document.getElementById(id); }

function store() {
  try { return window.sessionStorage; } catch (e) { return null; }
}

function say(text) { $("status").textContent = text || ""; }

function sayFlash() {
  say(flash);
  flash = "";
}

function redirectUri() { return window.location.origin + "/staff/"; }

// --- The sign-in redirect ------------------------------------------------------------
function signIn() {
  var verifier = randomText(48);
  var state = randomText(24);
  var s = store();
  if (!s || !config.login_url) { say("Sign-in is not available on this page."); return; }
  // Only the route (like #/requests/K7Q2-93XD), never data: the page comes back to it.
  s.setItem(PKCE_KEY, JSON.stringify({ verifier: verifier, state: state, hash: routeHash() }));
  s.removeItem(REASON_KEY);
  challengeFor(verifier).then(function (challenge) {
    var query = new URLSearchParams({
      response_type: "code", client_id: config.client_id, redirect_uri: redirectUri(),
      scope: "openid email", state: state, code_challenge: challenge,
      code_challenge_method: "S256",
      // A shared reception PC: the login page's own session (an hour) must not let the next
      // person in without password and code, even after a tab was closed without signing out.
      prompt: "login"
    });
    window.location.assign(config.login_url + "/oauth2/authorize?" + query.toString());
  });
}

function routeHash() {
  return /^#\/requests\/[0-9A-Za-z-]{1,40}$/.test(window.location.hash) ? window.location.hash : "#/";
}

function tokenCall(params) {
  return tokenRequest(fetch, config.login_url, params, session).then(function (made) { session = made; });
}

// The code comes back in the query string: exchange it, then take it out of the URL.
function finishSignIn(params) {
  var s = store();
  var saved = null;
  try { saved = JSON.parse((s && s.getItem(PKCE_KEY)) || "null"); } catch (e) { saved = null; }
  if (s) { s.removeItem(PKCE_KEY); }
  var hash = (saved && saved.hash) || "#/";
  window.history.replaceState(null, "", "/staff/" + hash);
  if (!saved || params.get("state") !== saved.state || !params.get("code")) {
    return Promise.reject(new Error("state"));
  }
  return tokenCall({
    grant_type: "authorization_code", client_id: config.client_id, code: params.get("code"),
    redirect_uri: redirectUri(), code_verifier: saved.verifier
  });
}

function refresh() {
  if (!session || !session.refresh) { return Promise.reject(new Error("no refresh")); }
  return tokenCall({ grant_type: "refresh_token", client_id: config.client_id, refresh_token: session.refresh });
}

// --- Ending a session: forget, revoke, sign out of the login page too ---------------------
function forget() {
  session = null;
  me = null;
  current = null;
  $("requests").querySelector("tbody").replaceChildren();
  $("details").replaceChildren();
  $("history").replaceChildren();
  ["d-reference", "d-reason", "count", "who", "zone-note", "figures-summary"].forEach(function (id) { $(id).textContent = ""; });
  $("figures-chart").replaceChildren();
  $("figures-table").querySelector("tbody").replaceChildren();
  $("figures").hidden = true;
  nextPage = null;
  $("more").hidden = true;
  ["filter-reference", "mark-note", "erase-confirm"].forEach(function (id) { $(id).value = ""; });
  $("mark-form").reset();
  $("export-ack").checked = false;
  $("d-urgent").hidden = true;
  show("signed-out");
  $("who").hidden = true;
  $("sign-out").hidden = true;
  say("");
}

function endSession(reason) {
  var ending = session;
  forget();
  var s = store();
  if (s) { s.setItem(REASON_KEY, reason); }
  var revoked = ending && ending.refresh && config.login_url
    ? fetch(config.login_url + "/oauth2/revoke", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: ending.refresh, client_id: config.client_id }).toString(),
      credentials: "omit"
    }).catch(function () { return null; })
    : Promise.resolve(null);
  return revoked.then(function () {
    if (ending && config.login_url) {
      // The login page keeps its own session: end it, or "Sign in" would skip the password.
      var query = new URLSearchParams({ client_id: config.client_id, logout_uri: redirectUri() });
      window.location.assign(config.login_url + "/logout?" + query.toString());
    } else {
      showReason();
    }
  });
}

function showReason() {
  var s = store();
  var reason = s && s.getItem(REASON_KEY);
  $("signed-out-reason").textContent = REASONS[reason] || "Sign in to see the clinic's appointment requests.";
}

function noteActivity() { if (idleWatch) { idleWatch.noteActivity(); } }

function watchIdle() {
  idleWatch = createIdleWatch({ limitMs: (Number(config.idle_minutes) || 10) * 60 * 1000 });
  ["keydown", "pointerdown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, noteActivity, { passive: true, capture: true });
  });
  function check() {
    if (idleWatch.idle(session)) { endSession("idle"); }
  }
  window.setInterval(check, 15 * 1000);
  // A background tab's timers are slowed: check as soon as it is seen again.
  document.addEventListener("visibilitychange", check);
}

// --- The staff API -----------------------------------------------------------------------
function fresh() {
  if (needsRefresh(session)) { return refresh(); }
  return Promise.resolve();
}

var call = createApi({
  fetchImpl: function (url, options) { return fetch(url, options); },
  base: API,
  session: function () { return session; },
  fresh: fresh,
  refresh: refresh,
  onExpired: function () { endSession("expired"); }
});

function json(response) {
  return response.json().catch(function () { return {}; }).then(function (data) {
    return { status: response.status, data: data };
  });
}

function problem(answer, fallback) {
  var errors = answer.data && answer.data.errors;
  return (errors && errors[0] && errors[0].message) || fallback;
}

// --- Views -------------------------------------------------------------------------------
function show(view) {
  ["signed-out", "list-view", "detail-view"].forEach(function (id) { $(id).hidden = id !== view; });
}

function focusTitle(id) {
  var title = $(id);
  if (title) { title.focus(); }
}

function when(text) { return clinicTime(text, zone); }

function cell(row, text) {
  var td = document.createElement("td");
  td.textContent = text;
  row.appendChild(td);
  return td;
}

function addRow(body, item) {
  var tr = document.createElement("tr");
  cell(tr, when(item.created_at));
  var link = document.createElement("a");
  link.href = "#/requests/" + encodeURIComponent(item.reference);
  link.textContent = item.reference;
  cell(tr, "").appendChild(link);
  cell(tr, item.full_name);
  var status = cell(tr, STATUS_LABELS[item.status] || item.status);
  if (item.urgent && item.status !== "closed") {
    var flag = document.createElement("strong");
    flag.className = "urgent-flag";
    flag.textContent = "Urgent";
    status.appendChild(document.createTextNode(" "));
    status.appendChild(flag);
  }
  var wait = cell(tr, waiting(item));
  if (item.overdue) { wait.className = "overdue"; }
  cell(tr, ALERT_LABELS[item.alert_state] || item.alert_state);
  body.appendChild(tr);
}

var SVG = "http://www.w3.org/2000/svg";

function svg(name, attributes) {
  var node = document.createElementNS(SVG, name);
  Object.keys(attributes).forEach(function (key) { node.setAttribute(key, String(attributes[key])); });
  return node;
}

// The figures above the list: a sentence, the eight-week chart, and its table for screen readers.
function loadFigures() {
  return call("GET", "/figures").then(json).then(function (answer) {
    if (answer.status !== 200) { $("figures").hidden = true; return; }
    var figures = answer.data;
    $("figures-summary").textContent = summaryText(figures);
    var chart = $("figures-chart");
    chart.replaceChildren();
    chartBars(figures.weeks, 320, 116).forEach(function (bar) {
      chart.appendChild(svg("rect", { x: bar.x, y: bar.y, width: bar.width, height: bar.height, "class": "bar" }));
      if (bar.mark !== null) {
        chart.appendChild(svg("line", { x1: bar.x - 2, x2: bar.x + bar.width + 2, y1: bar.mark, y2: bar.mark, "class": "p90" }));
      }
      var label = svg("text", { x: bar.x + bar.width / 2, y: 112, "text-anchor": "middle", "class": "label" });
      label.textContent = bar.label;
      chart.appendChild(label);
    });
    var body = $("figures-table").querySelector("tbody");
    body.replaceChildren();
    figures.weeks.forEach(function (week) {
      var tr = document.createElement("tr");
      var th = document.createElement("th");
      th.scope = "row";
      th.textContent = week.start;
      tr.appendChild(th);
      cell(tr, String(week.contacts));
      cell(tr, minutesText(week.median_minutes));
      cell(tr, minutesText(week.p90_minutes));
      body.appendChild(tr);
    });
    $("figures").hidden = false;
  }).catch(function () { $("figures").hidden = true; });
}

// The first page of the chosen view, or (more) the next one under the rows already shown.
function loadList(more) {
  var form = $("filters");
  var query = new URLSearchParams();
  ["view", "period", "q"].forEach(function (name) {
    var value = form.elements[name].value.trim();
    if (value) { query.set(name, value); }
  });
  if (more && nextPage) { query.set("cursor", nextPage); }
  var view = form.elements.view.value;
  say(more ? "Loading more requests..." : "Loading requests...");
  return call("GET", "/requests?" + query.toString()).then(json).then(function (answer) {
    var body = $("requests").querySelector("tbody");
    if (!more) { body.replaceChildren(); }
    nextPage = null;
    $("more").hidden = true;
    if (answer.status === 404) {
      $("count").textContent = "No request has that reference.";
      sayFlash();
      return;
    }
    if (answer.status !== 200) {
      $("count").textContent = problem(answer, "The requests could not be loaded. Try again.");
      sayFlash();
      return;
    }
    zone = answer.data.clinic_timezone || zone;
    var rows = answer.data.requests || [];
    rows.forEach(function (item) { addRow(body, item); });
    nextPage = answer.data.next || null;
    $("more").hidden = !nextPage;
    var shown = body.children.length;
    $("count").textContent = (shown === 1 ? "1 request" : shown + " requests")
      + (nextPage ? " shown, more to show" : "");
    $("zone-note").textContent = zone ? "Times are clinic time (" + zone + ")." : "";
    $("requests-caption").textContent = CAPTIONS[view]
      || "Appointment requests, urgent ones not closed first, then newest first";
    if (more) { say(rows.length === 1 ? "1 more request shown." : rows.length + " more requests shown."); }
    else { sayFlash(); }
  }).catch(function () { sayFlash(); });
}

function term(list, label, value, href) {
  var dt = document.createElement("dt");
  dt.textContent = label;
  var dd = document.createElement("dd");
  if (href) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = value;
    dd.appendChild(a);
  } else {
    dd.textContent = value;
  }
  list.appendChild(dt);
  list.appendChild(dd);
}

function renderDetail(item) {
  current = item;
  $("d-reference").textContent = item.reference;
  var list = $("details");
  list.replaceChildren();
  term(list, "Name", item.full_name);
  term(list, "Phone", item.phone, tel(item.phone));
  term(list, "Email", item.email, mailto(item.email));
  var contact = CONTACT_LABELS[item.preferred_contact] || item.preferred_contact;
  if (item.preferred_contact === "text") {
    contact += item.sms_consent ? " (agreed to texts)" : " (no consent to texts)";
  }
  term(list, "Prefers", contact);
  // The page the visitor used: call back in their language.
  term(list, "Language", item.language === "es" ? "Prefers Spanish" : "English");
  term(list, "Best time", TIME_LABELS[item.preferred_time] || item.preferred_time);
  term(list, "Preferred date", item.preferred_date || "Any");
  term(list, "Visit", VISIT_LABELS[item.visit_type] || item.visit_type);
  term(list, "Received", when(item.created_at));
  term(list, "Status", STATUS_LABELS[item.status] || item.status);
  term(list, "Staff alert", ALERT_LABELS[item.alert_state] || item.alert_state);
  undelivered(item.alerts).forEach(function (line) { term(list, "Alert not delivered", line); });
  term(list, "Confirmation email", CONFIRMATION_LABELS[item.confirmation] || item.confirmation);
  // Only that the reason suggests a crisis, never which words: call back today.
  $("d-urgent").hidden = !(item.urgent && item.status !== "closed");
  $("d-reason").textContent = item.reason || "Nothing written.";

  var history = $("history");
  history.replaceChildren();
  var changes = (item.history || []).concat((item.escalations || []).map(function (told) {
    return { at: told.at, escalation: told };
  })).concat((item.attempts || []).map(function (tried) {
    return { at: tried.at, attempt: tried };
  })).sort(function (a, b) { return a.at < b.at ? -1 : a.at > b.at ? 1 : 0; });
  if (!changes.length) {
    var none = document.createElement("li");
    none.textContent = "No changes yet.";
    history.appendChild(none);
  }
  changes.forEach(function (change) {
    var li = document.createElement("li");
    var line = document.createElement("p");
    if (change.attempt) {
      var tried = change.attempt;
      line.textContent = when(change.at) + ": call attempt, " + (ATTEMPT_LABELS[tried.result] || tried.result) +
        ", by " + (tried.by_name ? tried.by_name + " (" + tried.by + ")" : tried.by) + (tried.note ? ": " + tried.note : "");
      li.appendChild(line);
      history.appendChild(li);
      return;
    }
    if (change.escalation) {
      line.textContent = when(change.at) + ": nobody had called back within the target; the escalation contacts were told by " +
        (change.escalation.channel === "sms" ? "text" : "email") + " (" + (ESCALATION_STATES[change.escalation.state] || change.escalation.state) + ").";
      li.appendChild(line);
      history.appendChild(li);
      return;
    }
    line.textContent = when(change.at) + ": " + (STATUS_LABELS[change.from] || change.from) +
      " to " + (STATUS_LABELS[change.to] || change.to) +
      (change.outcome ? " (" + (OUTCOME_LABELS[change.outcome] || change.outcome) + ")" : "") + ", by " +
      (change.by_name ? change.by_name + " (" + change.by + ")" : change.by);
    li.appendChild(line);
    if (change.note) {
      var note = document.createElement("p");
      note.className = "history-note";
      note.textContent = change.note;
      li.appendChild(note);
    }
    history.appendChild(li);
  });
  var next = item.next_statuses || [];
  ["contacted", "scheduled", "closed"].forEach(function (status) {
    var radio = $("mark-" + status);
    radio.disabled = next.indexOf(status) < 0;
    radio.checked = false;
  });
  $("mark-form").hidden = !next.length;
  $("outcome-field").hidden = true;
  $("mark-form").querySelectorAll("input[name=outcome]").forEach(function (radio) { radio.checked = false; });
  var open = item.status !== "closed";
  document.querySelectorAll("[data-attempt]").forEach(function (button) { button.disabled = !open; });
  var tries = (item.attempts || []).length;
  $("d-unreachable").hidden = !item.offer_unreachable;
  $("d-unreachable").textContent = item.offer_unreachable
    ? tries + " call attempts over more than one day without reaching them: you may close this request as \"Unreachable after attempts\"."
    : "";
  $("mark-title").textContent = next.length ? "Record progress" : "Record progress: this request is closed";
  $("erase-tools").hidden = !(me && me.admin);
}

function loadDetail(reference) {
  say("Loading the request...");
  return call("GET", "/requests/" + encodeURIComponent(reference)).then(json).then(function (answer) {
    show("detail-view");
    if (answer.status !== 200) {
      current = null;
      $("d-reference").textContent = reference;
      $("details").replaceChildren();
      $("history").replaceChildren();
      $("d-reason").textContent = "";
      $("mark-form").hidden = true;
      $("erase-tools").hidden = true;
      $("d-urgent").hidden = true;
      // CloudFront answers an API 404 with the site's 404 page: say it in our words.
      say(answer.status === 404
        ? "No request has the reference " + reference + ". It may have been erased, or be past its retention."
        : problem(answer, "The request could not be loaded."));
      focusTitle("detail-title");
      return;
    }
    renderDetail(answer.data.request);
    say("");
    focusTitle("detail-title");
  }).catch(function () { say(""); });
}

function route() {
  if (!session) { return; }
  var match = /^#\/requests\/([0-9A-Za-z-]{1,40})$/.exec(window.location.hash);
  if (match) {
    loadDetail(decodeURIComponent(match[1]));
    return;
  }
  current = null;
  show("list-view");
  $("export-tools").hidden = !(me && me.admin);
  loadList().then(function () { focusTitle("list-title"); });
  loadFigures();
}

// --- Actions -----------------------------------------------------------------------------
// "Show more": the next page under the rows shown; focus goes to the first new row.
function onMore() {
  var body = $("requests").querySelector("tbody");
  var before = body.children.length;
  loadList(true).then(function () {
    var first = body.children[before];
    var link = first && first.querySelector("a");
    if (link) { link.focus(); }
  });
}

function markBody(status, outcome) {
  var body = { status: status, note: $("mark-note").value.trim() };
  if (status === "closed" && outcome) { body.outcome = outcome.value; }
  return body;
}

// "Closed" asks how it ended; the other statuses do not.
function onStatusChoice() {
  var chosen = $("mark-form").querySelector("input[name=status]:checked");
  $("outcome-field").hidden = !(chosen && chosen.value === "closed");
  if (current && current.offer_unreachable && chosen && chosen.value === "closed") {
    $("outcome-unreachable").checked = true;
  }
}

function onAttempt(event) {
  var result = event.currentTarget.getAttribute("data-attempt");
  if (!current) { return; }
  var reference = current.reference;
  call("POST", "/requests/" + encodeURIComponent(reference) + "/attempts", { result: result }).then(json).then(function (answer) {
    if (answer.status !== 200) { say(problem(answer, "The attempt was not saved. Try again.")); return; }
    renderDetail(answer.data.request);
    say("Saved: call attempt (" + (ATTEMPT_LABELS[result] || result) + ") on " + reference + ".");
  }).catch(function () { say(""); });
}

function onMark(event) {
  event.preventDefault();
  if (!current) { return; }
  var chosen = $("mark-form").querySelector("input[name=status]:checked");
  if (!chosen) { say("Choose the new status first."); $("mark-contacted").focus(); return; }
  var outcome = $("mark-form").querySelector("input[name=outcome]:checked");
  if (chosen.value === "closed" && !outcome) {
    say("Choose how it ended first.");
    $("outcome-scheduled").focus();
    return;
  }
  var reference = current.reference;
  say("Saving...");
  call("POST", "/requests/" + encodeURIComponent(reference) + "/status",
    markBody(chosen.value, outcome)).then(json).then(function (answer) {
    if (answer.status !== 200) { say(problem(answer, "The change was not saved. Try again.")); return; }
    $("mark-form").reset();
    renderDetail(answer.data.request);
    say("Saved: " + reference + " is now " + (STATUS_LABELS[answer.data.request.status] || "") + ".");
  }).catch(function () { say(""); });
}

function onErase() {
  if (!current) { return; }
  var reference = current.reference;
  var typed = $("erase-confirm").value.trim().toUpperCase();
  if (typed !== reference) {
    say("Type the reference " + reference + " exactly to erase this request.");
    $("erase-confirm").focus();
    return;
  }
  say("Erasing...");
  call("POST", "/requests/" + encodeURIComponent(reference) + "/erase", { confirm: typed })
    .then(json).then(function (answer) {
      if (answer.status !== 200) { say(problem(answer, "The request was not erased.")); return; }
      current = null;
      flash = "Erased: " + answer.data.erased + ". The audit trail records that you erased it.";
      window.location.hash = "#/";
    }).catch(function () { say(""); });
}

function onExport() {
  if (!$("export-ack").checked) {
    say("Tick the box to confirm you will keep the file safe.");
    $("export-ack").focus();
    return;
  }
  say("Preparing the file...");
  var chunks = [];
  var name = "requests.csv";
  // One page after another (each about 1,000 requests), joined here: nothing is kept anywhere
  // but the file the admin saves.
  function page(cursor) {
    var query = "/export?acknowledge=health-data&period=month" + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    return call("GET", query).then(function (response) {
      if (!response.ok) { return json(response).then(function (a) { say(problem(a, "The export failed.")); return false; }); }
      var match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
      if (match) { name = match[1]; }
      var next = response.headers.get("X-Next-Page");
      return response.text().then(function (text) {
        chunks.push(text);
        if (next) { say("Preparing the file... (" + chunks.length + " parts so far)"); return page(next); }
        return true;
      });
    });
  }
  page(null).then(function (complete) {
    if (!complete) { return; }
    var blob = new Blob(chunks, { type: "text/csv;charset=utf-8" });
    chunks = [];
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    say("Downloaded " + name + ".");
  }).catch(function () { say(""); });
}

// --- Start -------------------------------------------------------------------------------
function signedIn() {
  return call("GET", "/me").then(json).then(function (answer) {
    if (answer.status === 403) { endSession("forbidden"); return; }
    if (answer.status !== 200) { say(problem(answer, "The inbox could not be reached. Try again.")); return; }
    me = answer.data;
    zone = me.clinic_timezone || zone;
    $("who").textContent = "Signed in as " + (me.name || "staff") + (me.admin ? " (admin)" : "");
    $("who").hidden = false;
    $("sign-out").hidden = false;
    route();
  });
}

function start() {
  $("sign-in").addEventListener("click", signIn);
  $("sign-out").addEventListener("click", function () { endSession("signed_out"); });
  $("filters").addEventListener("submit", function (event) { event.preventDefault(); loadList(); });
  $("more").addEventListener("click", onMore);
  $("mark-form").addEventListener("submit", onMark);
  $("mark-form").querySelectorAll("input[name=status]").forEach(function (radio) { radio.addEventListener("change", onStatusChoice); });
  document.querySelectorAll("[data-attempt]").forEach(function (button) { button.addEventListener("click", onAttempt); });
  $("erase").addEventListener("click", onErase);
  $("export").addEventListener("click", onExport);
  window.addEventListener("hashchange", route);
  fetch("/staff/config.json", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (loaded) {
    config = loaded;
    $("sign-in").disabled = false;
    watchIdle();
    var params = new URLSearchParams(window.location.search);
    if (params.has("code") || params.has("error")) {
      finishSignIn(params).then(function () {
        var s = store();
        if (s) { s.removeItem(REASON_KEY); }
        noteActivity();
        return signedIn();
      }).catch(function () {
        session = null;
        var s = store();
        if (s) { s.setItem(REASON_KEY, "refused"); }
        showReason();
        show("signed-out");
      });
      return;
    }
    showReason();
    show("signed-out");
    focusTitle("signed-out-title");
  }).catch(function () { say("The inbox could not start. Reload the page."); });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
