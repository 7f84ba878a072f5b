// The form's logic, in node's own test runner (node --test tests/js): the draft, retries, the
// checks, the search ranking. The browser tests prove the whole; these pin each rule.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createDraft, DRAFT_KEY, ID_KEY, newId } from "../../site/assets/js/draft.js";
import { MESSAGES } from "../../site/assets/js/messages.js";
import { sendWithRetries } from "../../site/assets/js/retry.js";
import { rank } from "../../site/assets/js/search.js";
import { isoDate, validate } from "../../site/assets/js/validate.js";
import { WORDS, fill, pageLanguage } from "../../site/assets/js/words.js";

function memoryStorage() {
  const items = new Map();
  return {
    items,
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => { items.set(key, String(value)); },
    removeItem: (key) => { items.delete(key); }
  };
}

test("a draft is kept with its time and restored", () => {
  const store = memoryStorage();
  const draft = createDraft(store, { now: () => 1000 });
  draft.save({ full_name: "Ana" });
  assert.deepEqual(JSON.parse(store.getItem(DRAFT_KEY)), { saved_at: 1000, fields: { full_name: "Ana" } });
  assert.deepEqual(draft.fields(), { full_name: "Ana" });
});

test("a draft older than 30 minutes is forgotten with its id, a younger one is kept", () => {
  const store = memoryStorage();
  let clock = 0;
  const draft = createDraft(store, { now: () => clock });
  draft.id(() => "id-1");
  draft.save({ full_name: "Ana" });
  clock = 30 * 60 * 1000 - 1;
  draft.discardStale();
  assert.deepEqual(draft.fields(), { full_name: "Ana" });
  clock = 30 * 60 * 1000;
  draft.discardStale();
  assert.equal(draft.fields(), null);
  assert.equal(store.getItem(ID_KEY), null);
});

test("the request keeps one id across reloads until it is forgotten", () => {
  const store = memoryStorage();
  const first = createDraft(store).id(() => "id-1");
  const again = createDraft(store).id(() => "id-2");  // a reload
  assert.equal(first, "id-1");
  assert.equal(again, "id-1");
  createDraft(store).forget();
  assert.equal(createDraft(store).id(() => "id-3"), "id-3");
});

test("without storage the draft does nothing and still gives an id", () => {
  const draft = createDraft(null);
  draft.save({ full_name: "Ana" });
  assert.equal(draft.fields(), null);
  assert.equal(draft.id(() => "id-1"), "id-1");
});

test("a new id is a UUID v4, with or without randomUUID", () => {
  const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  assert.match(newId(), v4);
  assert.match(newId({ getRandomValues: (b) => globalThis.crypto.getRandomValues(b) }), v4);
});

function answer(status, data = {}) {
  return { status, json: () => Promise.resolve(data) };
}

test("5xx, 429 and network errors are retried with backoff and the same body", async () => {
  const bodies = [];
  const answers = [Promise.reject(new Error("offline")), Promise.resolve(answer(503)),
    Promise.resolve(answer(429)), Promise.resolve(answer(201, { reference: "K7Q2-93XD" }))];
  const waited = [];
  let retries = 0;
  const result = await sendWithRetries((body) => { bodies.push(body); return answers.shift(); },
    { submission_id: "same" },
    { wait: (ms) => { waited.push(ms); return Promise.resolve(); }, onRetry: () => { retries += 1; } });
  assert.deepEqual(result, { status: 201, data: { reference: "K7Q2-93XD" } });
  assert.deepEqual(waited, [1000, 2000, 4000]);
  assert.equal(retries, 3);
  assert.ok(bodies.every((body) => body.submission_id === "same"));
});

test("retries stop after four, and a 4xx is answered at once", async () => {
  const noWait = { wait: () => Promise.resolve() };
  let calls = 0;
  const down = await sendWithRetries(() => { calls += 1; return Promise.reject(new Error("x")); }, {}, noWait);
  assert.deepEqual(down, { status: 0, data: {} });
  assert.equal(calls, 5);
  calls = 0;
  const invalid = await sendWithRetries(() => { calls += 1; return Promise.resolve(answer(422, { errors: [] })); }, {}, noWait);
  assert.deepEqual(invalid, { status: 422, data: { errors: [] } });
  assert.equal(calls, 1);
});

function values(overrides = {}) {
  const fields = {
    full_name: "Ana Núñez-O'Brien", email: "ana@example.org", phone: "(415) 555-2671",
    preferred_contact: "phone", sms_consent: false, visit_type: "new", preferred_date: "",
    reason: "", consent: true, ...overrides
  };
  return (name) => fields[name];
}
const DATES = { min: "2026-12-02", max: "2027-12-02" };

test("a valid form has no errors", () => {
  assert.deepEqual(validate(values(), DATES), []);
});

test("each rule names its field in the server's words", () => {
  const cases = [
    [{ full_name: "" }, "full_name", "required"],
    [{ full_name: "x".repeat(101) }, "full_name", "too_long"],
    [{ full_name: "R2-D2" }, "full_name", "name_characters"],
    [{ email: "ana@" }, "email", "email_invalid"],
    [{ phone: "12" }, "phone", "phone_invalid"],
    [{ preferred_contact: "" }, "preferred_contact", "required"],
    [{ preferred_contact: "text" }, "sms_consent", "sms_consent_required"],
    [{ visit_type: "" }, "visit_type", "required"],
    [{ preferred_date: "2026-12-01" }, "preferred_date", "date_in_past"],
    [{ preferred_date: "2027-12-03" }, "preferred_date", "date_too_far"],
    [{ reason: "x".repeat(1001) }, "reason", "too_long"],
    [{ consent: false }, "consent", "consent_required"]
  ];
  for (const [overrides, field, code] of cases) {
    for (const language of ["en", "es"]) {
      const errors = validate(values(overrides), DATES, language);
      assert.equal(errors.length, 1, JSON.stringify(overrides));
      assert.deepEqual(errors[0], { field, code, message: MESSAGES[language][field][code] });
      assert.ok(errors[0].message, `${field} ${code} has words in ${language}`);
    }
    assert.notEqual(validate(values(overrides), DATES, "es")[0].message,
      validate(values(overrides), DATES, "en")[0].message, `${field} ${code} is translated`);
  }
});

function keys(tree, prefix = "") {
  return Object.entries(tree).flatMap(([key, value]) => (
    typeof value === "object" ? keys(value, prefix + key + ".") : [prefix + key]
  )).sort();
}

test("every word of the page and of the server exists in both languages", () => {
  assert.deepEqual(keys(WORDS.es), keys(WORDS.en));
  assert.deepEqual(keys(MESSAGES.es), keys(MESSAGES.en));
  for (const tree of [WORDS.es, MESSAGES.es]) {
    for (const key of keys(tree)) {
      const value = key.split(".").reduce((node, part) => node[part], tree);
      assert.ok(typeof value === "string" && value.trim(), key);
    }
  }
});

test("the page's language is its html lang, English unless Spanish", () => {
  assert.equal(pageLanguage({ documentElement: { lang: "es" } }), "es");
  assert.equal(pageLanguage({ documentElement: { lang: "en" } }), "en");
  assert.equal(pageLanguage({ documentElement: { lang: "fr" } }), "en");
  assert.equal(fill(WORDS.es.check_many, { n: 3 }), "Revise 3 respuestas, por favor.");
  assert.equal(fill("{a} {b}", { a: 1 }), "1 {b}");
});

test("a reason of 1000 characters with Windows line ends is not too long", () => {
  assert.deepEqual(validate(values({ reason: "ab\r\n".repeat(250) }), DATES), []);
});

test("dates are written as the date input writes them", () => {
  assert.equal(isoDate(new Date(2026, 0, 5)), "2026-01-05");
});

test("search ranks a title match above a text match and drops pages without one", () => {
  const pages = [
    { title: "Privacy", headings: [], text: "ketamine mentioned" },
    { title: "Ketamine and anxiety", headings: [], text: "" },
    { title: "Other", headings: [], text: "nothing" }
  ];
  assert.deepEqual(rank(pages, "Ketamine").map((p) => p.title), ["Ketamine and anxiety", "Privacy"]);
  assert.deepEqual(rank(pages, "  "), []);
});

test("search ignores accents and puts the page's own language first at equal score", () => {
  const pages = [
    { title: "Privacy notice", lang: "en", headings: [], text: "informacion" },
    { title: "Aviso de privacidad", lang: "es", headings: [], text: "información" }
  ];
  assert.deepEqual(rank(pages, "informacion", "es").map((p) => p.lang), ["es", "en"]);
  assert.deepEqual(rank(pages, "INFORMACIÓN", "en").map((p) => p.lang), ["en", "es"]);
  assert.deepEqual(rank(pages, "aviso", "en").map((p) => p.lang), ["es"]);
});
