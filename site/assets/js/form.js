/* The appointment form: the draft, the checks, the 988 box, sending with retries, and the
   answers. Plain JavaScript, no dependencies, no third-party requests (but Cloudflare's check,
   when the stack turns it on). The form also works without this file (it then posts form data
   to the same endpoint). */

import { matcher } from "./crisis.js";
import { createDraft, newId } from "./draft.js";
import { sendWithRetries, wait } from "./retry.js";
import { isoDate, validate } from "./validate.js";
import { WORDS, fill, pageLanguage } from "./words.js";

const ENDPOINT = "/api/appointments";
const TURNSTILE_FIELD = "cf-turnstile-response";
const TURNSTILE_SCRIPT = "https://challenges.cloudflare.com/turnstile/v0/api.js?onload=intakeTurnstileReady&render=explicit";
const DRAFT_FIELDS = ["full_name", "email", "confirmation_email", "phone", "preferred_contact",
  "sms_consent", "visit_type", "preferred_date", "preferred_time", "reason"];

function storage() {
  try { return window.sessionStorage; } catch (e) { return null; }
}

export function initForm(form) {
  // The page's language: the API answers in it (?lang=), and it is stored with the request.
  const language = pageLanguage(document);
  const words = WORDS[language];
  const prefix = language === "es" ? "/es" : "";
  const draft = createDraft(storage());
  const button = form.querySelector("#send");
  const status = document.getElementById("form-status");
  const summary = document.getElementById("error-summary");
  const list = document.getElementById("error-list");
  const idInput = form.elements.namedItem("submission_id");
  let sending = false;
  let humanToken = "";

  draft.discardStale();
  // One id per request, kept across reloads until the request is stored.
  let id = draft.id(newId);
  idInput.value = id;
  initHumanCheck();

  const today = new Date();
  const nextYear = new Date(today.getFullYear() + 1, today.getMonth(), today.getDate());
  const dateInput = form.elements.namedItem("preferred_date");
  dateInput.min = isoDate(today);
  dateInput.max = isoDate(nextYear);

  restoreDraft();
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);

  function field(name) { return form.elements.namedItem(name); }
  function value(name) {
    const el = field(name);
    if (!el) { return ""; }
    if (el.type === "checkbox") { return el.checked; }
    return (el.value || "").trim();
  }

  function saveDraft() {
    const fields = {};
    DRAFT_FIELDS.forEach((name) => { fields[name] = value(name); });
    draft.save(fields);
  }

  function restoreDraft() {
    const saved = draft.fields();
    if (!saved) { return; }
    DRAFT_FIELDS.forEach(function (name) {
      const el = field(name);
      if (!el || saved[name] === undefined) { return; }
      if (el.type === "checkbox") { el.checked = !!saved[name]; }
      else { el.value = saved[name]; }
    });
  }

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), (el) => el.removeAttribute("aria-invalid"));
    Array.prototype.forEach.call(form.querySelectorAll(".error"), function (el) {
      el.hidden = true;
      el.textContent = "";
    });
    summary.hidden = true;
    list.textContent = "";
  }

  function firstControl(name) {
    const el = field(name);
    if (el instanceof RadioNodeList) { return el[0]; }
    return el;
  }

  function showErrors(errors) {
    clearErrors();
    errors.forEach(function (error) {
      const message = document.getElementById(error.field + "-error");
      const control = firstControl(error.field);
      const item = document.createElement("li");
      const text = (words.labels[error.field] || words.labels.body) + ": " + error.message;
      if (message && control) {
        message.textContent = error.message;
        message.hidden = false;
        const targets = field(error.field) instanceof RadioNodeList
          ? Array.prototype.slice.call(field(error.field)) : [control];
        targets.forEach((el) => el.setAttribute("aria-invalid", "true"));
        const link = document.createElement("a");
        link.href = "#" + control.id;
        link.textContent = text;
        link.addEventListener("click", function (event) {
          event.preventDefault();
          control.focus();
        });
        item.appendChild(link);
      } else {
        // A check with no input of its own (the human check): its message sits beside it.
        if (message) { message.textContent = error.message; message.hidden = false; }
        item.textContent = text;
      }
      list.appendChild(item);
    });
    summary.hidden = false;
    summary.focus();
  }

  document.getElementById("clear-form").addEventListener("click", function () {
    draft.forget();
    form.reset();
    clearErrors();
    id = newId();
    idInput.value = id;
    draft.keepId(id);
    status.textContent = words.cleared;
    form.elements.namedItem("full_name").focus();
  });

  function initHumanCheck() {
    // Off unless the stack has a Turnstile site key (publish-site writes it here).
    fetch("/assets/config.json", { cache: "no-cache" }).then((r) => r.json())
      .then(function (config) {
        if (!config || !config.turnstile_site_key) { return; }
        document.getElementById("field-human_check").hidden = false;
        window.intakeTurnstileReady = function () {
          window.turnstile.render("#human-check-widget", {
            sitekey: config.turnstile_site_key,
            action: "appointment",  // the server accepts a token solved for this form only
            callback: function (token) { humanToken = token; },
            "expired-callback": function () { humanToken = ""; }
          });
        };
        const script = document.createElement("script");
        script.src = TURNSTILE_SCRIPT;
        script.async = true;
        document.head.appendChild(script);
      }, function () { /* no config: no check */ });
  }

  function payload() {
    const body = {
      submission_id: id,
      full_name: value("full_name"),
      email: value("email"),
      confirmation_email: value("confirmation_email"),
      phone: value("phone"),
      preferred_contact: value("preferred_contact"),
      sms_consent: value("sms_consent"),
      visit_type: value("visit_type"),
      preferred_time: value("preferred_time") || "any",
      consent: value("consent"),
      consent_version: field("consent_version").value,
      language: language,
      website: field("website").value
    };
    if (value("preferred_date")) { body.preferred_date = value("preferred_date"); }
    if (value("reason")) { body.reason = field("reason").value; }
    if (humanToken) { body[TURNSTILE_FIELD] = humanToken; }
    return body;
  }

  function post(body) {
    // As the form's action: the Spanish page asks for Spanish answers.
    return fetch(language === "es" ? ENDPOINT + "?lang=es" : ENDPOINT, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
      cache: "no-store"
    });
  }

  function checkAnswers(n) { return n === 1 ? words.check_one : fill(words.check_many, { n: n }); }

  function slowConnection() {
    status.textContent = words.slow;
  }

  function finish() {
    sending = false;
    button.disabled = false;
    button.removeAttribute("aria-disabled");
  }

  // Crisis language in the reason brings the 988 box forward (crisis.js, the clinic's one
  // list). Nothing is sent anywhere for it; the visitor can always send the form.
  const crisisBox = document.getElementById("crisis-now");
  let suggestsCrisis = () => false;
  let crisisSeen = false;
  let crisisTimer = null;

  function crisisWords() { return suggestsCrisis(value("reason")); }

  function showCrisis(notSentYet) {
    crisisBox.replaceChildren();
    const p = document.createElement("p");
    const strong = document.createElement("strong");
    strong.textContent = words.crisis_lead;
    p.appendChild(strong);
    p.appendChild(document.createTextNode(words.crisis_call));
    const call = document.createElement("a");
    call.href = "tel:988";
    call.textContent = "988";
    p.appendChild(call);
    p.appendChild(document.createTextNode(words.crisis_after));
    crisisBox.appendChild(p);
    if (notSentYet) {
      const note = document.createElement("p");
      note.textContent = words.crisis_not_sent;
      crisisBox.appendChild(note);
    }
    crisisSeen = true;
  }

  function checkCrisis() {
    if (!crisisBox) { return; }
    if (crisisWords()) {
      if (!crisisBox.firstChild) { showCrisis(false); }
    } else {
      crisisBox.replaceChildren();
      crisisSeen = false;
    }
  }

  // Settles once the crisis list has arrived (or could not): a send waits for it, for at most
  // a few seconds, so that words typed before it arrived are still noticed.
  let crisisListed = Promise.resolve();
  if (crisisBox) {
    crisisListed = fetch("/assets/crisis-phrases.json", { cache: "no-cache" }).then((r) => r.json())
      .then(function (list) {
        suggestsCrisis = matcher(list.phrases || []);
        checkCrisis();  // a restored draft
      }, function () { /* no list: the page's own crisis note stays */ });
    field("reason").addEventListener("input", function () {
      window.clearTimeout(crisisTimer);
      crisisTimer = window.setTimeout(checkCrisis, 300);
    });
  }

  let waiting = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending || waiting) { return; }
    waiting = true;
    // Whether the visitor had seen the 988 box before pressing Send: if the list arrives
    // only now, they have not, and the box comes forward before anything is sent.
    const seen = crisisSeen;
    const patience = new Promise((resolve) => { window.setTimeout(resolve, 3000); });
    Promise.race([crisisListed, patience]).then(function () {
      waiting = false;
      sendForm(seen);
    });
  });

  function sendForm(seen) {
    if (crisisBox && crisisWords() && !seen) {
      // Once, before sending: make sure the 988 box was seen. Pressing again sends.
      showCrisis(true);
      crisisBox.focus();
      return;
    }
    const errors = validate(value, { min: dateInput.min, max: dateInput.max }, language);
    if (errors.length) {
      status.textContent = checkAnswers(errors.length);
      showErrors(errors);
      return;
    }
    clearErrors();
    sending = true;
    button.disabled = true;
    button.setAttribute("aria-disabled", "true");
    status.textContent = words.sending;
    sendWithRetries(post, payload(), { wait: wait, onRetry: slowConnection }).then(function (result) {
      if (result.status === 201 && result.data.reference) {
        draft.forget();
        status.textContent = fill(words.sent, { ref: result.data.reference });
        // The server marks the same request urgent; its thank-you page puts 988 first.
        const page = prefix + (crisisWords() ? "/request-received.html" : "/thank-you.html");
        window.location.assign(page + "?ref=" + encodeURIComponent(result.data.reference));
        return;
      }
      finish();
      if (result.status === 422 && result.data.errors) {
        status.textContent = checkAnswers(result.data.errors.length);
        showErrors(result.data.errors);
        if (humanToken && window.turnstile) { window.turnstile.reset(); humanToken = ""; }
      } else if (result.status === 409) {
        id = newId();
        idInput.value = id;
        draft.keepId(id);
        status.textContent = "";
        showErrors([{ field: "body", message: words.conflict }]);
      } else if (result.status === 0 || result.status >= 500 || result.status === 429) {
        status.textContent = "";
        showErrors([{ field: "body", message: words.unreachable }]);
      } else {
        status.textContent = "";
        const message = (result.data.errors && result.data.errors[0] && result.data.errors[0].message) ||
          words.wrong;
        showErrors([{ field: "body", message: message }]);
      }
    });
  }
}
