// The staff inbox's logic, in node's own test runner: PKCE, the tokens and their refresh, the
// API call's one retry after a 401, and the idle time-out. The browser tests prove the whole.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";

import { createIdleWatch } from "../../site/staff/js/idle.js";
import { base64url, challengeFor, randomText } from "../../site/staff/js/pkce.js";
import { createApi, needsRefresh, tokenCall } from "../../site/staff/js/session.js";

test("the challenge is the verifier's SHA-256, base64url without padding (S256)", async () => {
  const verifier = randomText(48);
  assert.match(verifier, /^[A-Za-z0-9_-]{64}$/);
  const expected = createHash("sha256").update(verifier).digest("base64url");
  assert.equal(await challengeFor(verifier), expected);
  assert.equal(base64url(new Uint8Array([251, 255])), "-_8");
});

function answer(status, data = {}) {
  return { ok: status < 400, status, json: () => Promise.resolve(data) };
}

test("tokens are asked for with form data and kept with their expiry", async () => {
  const asked = [];
  const fetchImpl = (url, options) => { asked.push([url, options]); return Promise.resolve(answer(200, { id_token: "id1", access_token: "a1", refresh_token: "r1", expires_in: 900 })); };
  const session = await tokenCall(fetchImpl, "https://login", { grant_type: "authorization_code", code: "c" }, null, () => 1000);
  assert.deepEqual(session, { id: "id1", access: "a1", refresh: "r1", expiresAt: 1000 + 900 * 1000 });
  const [url, options] = asked[0];
  assert.equal(url, "https://login/oauth2/token");
  assert.equal(options.body, "grant_type=authorization_code&code=c");
  assert.equal(options.credentials, "omit");
});

test("a refresh keeps the refresh token it was not given again, and a refusal throws", async () => {
  const refreshed = await tokenCall(() => Promise.resolve(answer(200, { id_token: "id2", access_token: "a2", expires_in: 900 })),
    "https://login", {}, { refresh: "r1" }, () => 0);
  assert.equal(refreshed.refresh, "r1");
  await assert.rejects(tokenCall(() => Promise.resolve(answer(400)), "https://login", {}, null));
});

test("tokens are refreshed a minute before they expire", () => {
  assert.equal(needsRefresh({ expiresAt: 100_000 }, 100_000 - 60_001), false);
  assert.equal(needsRefresh({ expiresAt: 100_000 }, 100_000 - 59_999), true);
  assert.equal(needsRefresh(null, 0), false);
});

function api(statuses, { refreshFails = false } = {}) {
  const seen = { calls: [], refreshed: 0, expired: 0 };
  let session = { id: "id1" };
  const call = createApi({
    fetchImpl: (url, options) => { seen.calls.push([url, options.headers.Authorization]); return Promise.resolve(answer(statuses.shift())); },
    base: "/api/staff",
    session: () => session,
    fresh: () => Promise.resolve(),
    refresh: () => { seen.refreshed += 1; if (refreshFails) { return Promise.reject(new Error("no")); } session = { id: "id2" }; return Promise.resolve(); },
    onExpired: () => { seen.expired += 1; session = null; }
  });
  return { call, seen };
}

test("a 401 refreshes the tokens and tries once more with the new ones", async () => {
  const { call, seen } = api([401, 200]);
  const response = await call("GET", "/me");
  assert.equal(response.status, 200);
  assert.deepEqual(seen.calls, [["/api/staff/me", "id1"], ["/api/staff/me", "id2"]]);
  assert.equal(seen.expired, 0);
});

test("a second 401, or a refresh refused, ends the session", async () => {
  const twice = api([401, 401]);
  await assert.rejects(twice.call("GET", "/me"));
  assert.equal(twice.seen.expired, 1);
  const refused = api([401], { refreshFails: true });
  await assert.rejects(refused.call("GET", "/me"));
  assert.equal(refused.seen.expired, 1);
  assert.equal(refused.seen.calls.length, 1);
});

test("a JSON body is sent as JSON, and nothing is called when signed out", async () => {
  const sent = [];
  const call = createApi({
    fetchImpl: (url, options) => { sent.push(options); return Promise.resolve(answer(200)); },
    base: "", session: () => ({ id: "t" }), fresh: () => Promise.resolve(),
    refresh: () => Promise.resolve(), onExpired: () => {}
  });
  await call("POST", "/x", { status: "contacted" });
  assert.equal(sent[0].headers["Content-Type"], "application/json");
  assert.equal(sent[0].body, '{"status":"contacted"}');
  const signedOut = createApi({ fetchImpl: () => assert.fail("called"), base: "", session: () => null,
    fresh: () => Promise.resolve(), refresh: () => Promise.resolve(), onExpired: () => {} });
  await assert.rejects(signedOut("GET", "/me"));
});

test("the page is idle after the limit without activity, and only when signed in", () => {
  let clock = 0;
  const watch = createIdleWatch({ limitMs: 10 * 60 * 1000, now: () => clock });
  clock = 10 * 60 * 1000 - 1;
  assert.equal(watch.idle(true), false);
  watch.noteActivity();
  clock += 10 * 60 * 1000 - 1;
  assert.equal(watch.idle(true), false);
  clock += 1;
  assert.equal(watch.idle(true), true);
  assert.equal(watch.idle(false), false);
});

test("a mailto link is to the one address typed, never with headers or a body", async () => {
  const { mailto } = await import("../../site/staff/js/links.js");
  assert.equal(mailto("ana.nunez@example.org"), "mailto:ana.nunez@example.org");
  // Email validation lets this through (a quoted-less local part may hold ? = &)
  assert.equal(mailto("a?cc=x&body=y@host.example"), "mailto:a%3Fcc%3Dx%26body%3Dy@host.example");
  assert.equal(new URL(mailto("a?cc=x&body=y@host.example")).search, "");
  assert.equal(mailto("zoë@exämple.org"), "mailto:zo%C3%AB@ex%C3%A4mple.org");
});

test("a tel link only for an E.164 number", async () => {
  const { tel } = await import("../../site/staff/js/links.js");
  assert.equal(tel("+14155552671"), "tel:+14155552671");
  assert.equal(tel("+1 415?x"), "");
});

test("times are the clinic's, whatever the browser's zone, and say which", async () => {
  const { clinicTime } = await import("../../site/staff/js/times.js");
  // The example: 04:55 UTC is 23:55 the evening before in New York.
  assert.equal(clinicTime("2026-12-02T04:55:00.000+00:00", "America/New_York"), "Dec 1, 2026, 11:55 PM EST");
  assert.equal(clinicTime("2026-07-02T04:55:00.000+00:00", "America/New_York"), "Jul 2, 2026, 12:55 AM EDT");
  assert.equal(clinicTime("2026-12-02T04:55:00.000+00:00", "Pacific/Honolulu"), "Dec 1, 2026, 6:55 PM HST");
  assert.equal(clinicTime("not a time", "America/New_York"), "not a time");
  assert.equal(clinicTime("", "America/New_York"), "");
});

test("a waiting row says how long, and whether it is past its target", async () => {
  const { waiting } = await import("../../site/staff/js/times.js");
  assert.equal(waiting({ waited: "2 h 10 min", overdue: false }), "2 h 10 min");
  assert.equal(waiting({ waited: "1 day 3 h", overdue: true }), "1 day 3 h: past target");
  assert.equal(waiting({ status: "contacted" }), "");
  assert.equal(waiting({ waited: "3 h", overdue: false, attempts: 1 }), "3 h: 1 attempt");
  assert.equal(waiting({ waited: "2 days", overdue: true, attempts: 3 }), "2 days: past target, 3 attempts");
});

test("the figures read as staff say them, and the chart's bars follow the numbers", async () => {
  const { chartBars, minutesText, summaryText } = await import("../../site/staff/js/figures.js");
  assert.equal(minutesText(0), "0 min");
  assert.equal(minutesText(130), "2 h 10 min");
  assert.equal(minutesText(1440 + 180), "1 day 3 h");
  assert.equal(minutesText(2 * 1440), "2 days");
  assert.equal(minutesText(null), "none");
  const weeks = [
    { start: "2026-11-23", contacts: 2, median_minutes: 60, p90_minutes: 120 },
    { start: "2026-11-30", contacts: 0, median_minutes: null, p90_minutes: null }
  ];
  const [first, empty] = chartBars(weeks, 200, 116);
  assert.deepEqual([first.x, first.width, first.height, first.y, first.mark, first.label], [20, 60, 50, 50, 0, "11/23"]);
  assert.deepEqual([empty.height, empty.mark], [0, null]);
  assert.equal(
    summaryText({ weeks: [weeks[0]], past_target: 3, urgent_past_target: 1 }),
    "This week: 2 first contacts, median 1 h, 90th percentile 2 h. Past the call-back target now: 3 requests (1 urgent)."
  );
  assert.equal(
    summaryText({ weeks: [weeks[1]], past_target: 1, urgent_past_target: 0 }),
    "This week: 0 first contacts. Past the call-back target now: 1 request."
  );
});

test("a staff alert that bounced or was refused is named with its reason; others are not", async () => {
  const { undelivered } = await import("../../site/staff/js/labels.js");
  const alerts = [
    { channel: "email", to: "frontdesk@clinic.example", state: "bounced", error: "Permanent/MailboxFull" },
    { channel: "email", to: "nurse@clinic.example", state: "sent", error: null },
    { channel: "sms", to: "+14155550101", state: "failed", error: "OptedOut" },
    { channel: "confirmation", to: null, state: "failed", error: "MessageRejected" }
  ];
  assert.deepEqual(undelivered(alerts), [
    "frontdesk@clinic.example: bounced (Permanent/MailboxFull)",
    "+14155550101: refused (OptedOut)"
  ]);
  assert.deepEqual(undelivered(undefined), []);
});
