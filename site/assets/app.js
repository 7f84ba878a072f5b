/* Riverbend Clinic: the appointment form, the thank-you reference and the site search.
   Plain JavaScript, no dependencies, no third-party requests. The form also works without
   this file (it then posts form data to the same endpoint). */
(function () {
  "use strict";

  var ENDPOINT = "/api/appointments";
  var ID_KEY = "intake.submission_id";
  var DRAFT_KEY = "intake.draft";
  // A draft (name, contact details, reason) outlives a reload, not a walk away: 30 minutes.
  var DRAFT_TTL_MS = 30 * 60 * 1000;
  var TURNSTILE_FIELD = "cf-turnstile-response";
  var TURNSTILE_SCRIPT = "https://challenges.cloudflare.com/turnstile/v0/api.js?onload=intakeTurnstileReady&render=explicit";
  var RETRY_DELAYS = [1000, 2000, 4000, 8000];
  var DRAFT_FIELDS = ["full_name", "email", "confirmation_email", "phone", "preferred_contact",
    "sms_consent", "visit_type", "preferred_date", "preferred_time", "reason"];
  var NAME_RE = /^[\p{L}\p{M} '\-.,\u2019]+$/u;
  var EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
  var PHONE_RE = /^[0-9+().\-\s]+$/;
  var REF_RE = /^[0-9A-Z]{4}-[0-9A-Z]{4}$/;

  // The same plain words the server uses (functions/intake_common/errors.py).
  var MESSAGES = {
    full_name: { required: "Please enter your name.",
      too_long: "Please shorten your name to 100 characters or fewer.",
      name_characters: "Please use only letters, spaces and the characters ' - . , in your name." },
    email: { required: "Please enter your email address.",
      too_long: "Please use an email address of 254 characters or fewer.",
      email_invalid: "Please enter an email address like name@example.com." },
    phone: { required: "Please enter your phone number.",
      phone_invalid: "Please enter a phone number we can call, like (415) 555-2671 or +44 20 7946 0958." },
    preferred_contact: { required: "Please choose email, phone call or text message." },
    sms_consent: { sms_consent_required: "To be contacted by text message, please agree to receive texts." },
    visit_type: { required: "Please tell us whether you are a new or returning patient." },
    preferred_date: { date_in_past: "Please choose today or a later date.",
      date_too_far: "Please choose a date within the next year." },
    reason: { too_long: "Please shorten this to 1000 characters or fewer." },
    consent: { consent_required: "Please confirm that you have read the privacy notice." },
    human_check: { human_check_failed: "We could not confirm that a person sent this form. Please complete the check above the button and send it again, or call the clinic." }
  };
  var LABELS = {
    full_name: "Full name", email: "Email", confirmation_email: "Confirmation email", phone: "Phone",
    preferred_contact: "How should we contact you", sms_consent: "Text message consent",
    visit_type: "Visit type", preferred_date: "Preferred date", preferred_time: "Preferred time",
    reason: "What would you like to talk about", consent: "Privacy notice",
    human_check: "Human check", body: "Your request"
  };

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function newId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function isoDate(d) {
    var m = d.getMonth() + 1, day = d.getDate();
    return d.getFullYear() + "-" + (m < 10 ? "0" : "") + m + "-" + (day < 10 ? "0" : "") + day;
  }

  function initForm(form) {
    var store = storage();
    var button = form.querySelector("#send");
    var status = document.getElementById("form-status");
    var summary = document.getElementById("error-summary");
    var list = document.getElementById("error-list");
    var idInput = form.elements.namedItem("submission_id");
    var sending = false;
    var humanToken = "";

    discardStaleDraft();
    // One id per request, kept across reloads until the request is stored.
    var id = (store && store.getItem(ID_KEY)) || newId();
    if (store) { store.setItem(ID_KEY, id); }
    idInput.value = id;
    initHumanCheck();

    var today = new Date();
    var nextYear = new Date(today.getFullYear() + 1, today.getMonth(), today.getDate());
    var dateInput = form.elements.namedItem("preferred_date");
    dateInput.min = isoDate(today);
    dateInput.max = isoDate(nextYear);

    restoreDraft();
    form.addEventListener("input", saveDraft);
    form.addEventListener("change", saveDraft);

    function field(name) { return form.elements.namedItem(name); }
    function value(name) {
      var el = field(name);
      if (!el) { return ""; }
      if (el.type === "checkbox") { return el.checked; }
      return (el.value || "").trim();
    }

    function saveDraft() {
      if (!store) { return; }
      var draft = { saved_at: Date.now(), fields: {} };
      DRAFT_FIELDS.forEach(function (name) { draft.fields[name] = value(name); });
      store.setItem(DRAFT_KEY, JSON.stringify(draft));
    }

    function readDraft() {
      if (!store) { return null; }
      try { return JSON.parse(store.getItem(DRAFT_KEY) || "null"); } catch (e) { return null; }
    }

    function discardStaleDraft() {
      var saved = readDraft();
      if (saved && !(saved.saved_at > Date.now() - DRAFT_TTL_MS)) { forget(); }
    }

    function forget() {
      if (store) { store.removeItem(DRAFT_KEY); store.removeItem(ID_KEY); }
    }

    function restoreDraft() {
      var saved = readDraft();
      var draft = saved && saved.fields;
      if (!draft) { return; }
      DRAFT_FIELDS.forEach(function (name) {
        var el = field(name);
        if (!el || draft[name] === undefined) { return; }
        if (el.type === "checkbox") { el.checked = !!draft[name]; }
        else if (el instanceof RadioNodeList) { el.value = draft[name]; }
        else { el.value = draft[name]; }
      });
    }

    function validate() {
      var errors = [];
      function add(name, code) { errors.push({ field: name, code: code, message: MESSAGES[name][code] }); }
      var name = value("full_name").replace(/\s+/g, " ");
      if (!name) { add("full_name", "required"); }
      else if (name.length > 100) { add("full_name", "too_long"); }
      else if (!NAME_RE.test(name) || !/\p{L}/u.test(name)) { add("full_name", "name_characters"); }
      var email = value("email");
      if (!email) { add("email", "required"); }
      else if (email.length > 254) { add("email", "too_long"); }
      else if (!EMAIL_RE.test(email)) { add("email", "email_invalid"); }
      var phone = value("phone");
      var digits = phone.replace(/\D/g, "").length;
      if (!phone) { add("phone", "required"); }
      else if (phone.length > 40 || !PHONE_RE.test(phone) || digits < 7 || digits > 15) { add("phone", "phone_invalid"); }
      var contact = value("preferred_contact");
      if (!contact) { add("preferred_contact", "required"); }
      if (contact === "text" && !value("sms_consent")) { add("sms_consent", "sms_consent_required"); }
      if (!value("visit_type")) { add("visit_type", "required"); }
      var date = value("preferred_date");
      if (date && date < dateInput.min) { add("preferred_date", "date_in_past"); }
      else if (date && date > dateInput.max) { add("preferred_date", "date_too_far"); }
      if (value("reason").replace(/\r\n/g, "\n").length > 1000) { add("reason", "too_long"); }
      if (!value("consent")) { add("consent", "consent_required"); }
      return errors;
    }

    function clearErrors() {
      Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) {
        el.removeAttribute("aria-invalid");
      });
      Array.prototype.forEach.call(form.querySelectorAll(".error"), function (el) {
        el.hidden = true;
        el.textContent = "";
      });
      summary.hidden = true;
      list.textContent = "";
    }

    function firstControl(name) {
      var el = field(name);
      if (el instanceof RadioNodeList) { return el[0]; }
      return el;
    }

    function showErrors(errors) {
      clearErrors();
      errors.forEach(function (error) {
        var message = document.getElementById(error.field + "-error");
        var control = firstControl(error.field);
        var item = document.createElement("li");
        var text = (LABELS[error.field] || "Your request") + ": " + error.message;
        if (message && control) {
          message.textContent = error.message;
          message.hidden = false;
          var targets = field(error.field) instanceof RadioNodeList
            ? Array.prototype.slice.call(field(error.field)) : [control];
          targets.forEach(function (el) { el.setAttribute("aria-invalid", "true"); });
          var link = document.createElement("a");
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
      forget();
      form.reset();
      clearErrors();
      id = newId();
      idInput.value = id;
      if (store) { store.setItem(ID_KEY, id); }
      status.textContent = "Cleared. Nothing was sent.";
      form.elements.namedItem("full_name").focus();
    });

    function initHumanCheck() {
      // Off unless the stack has a Turnstile site key (publish-site writes it here).
      fetch("/assets/config.json", { cache: "no-cache" }).then(function (r) { return r.json(); })
        .then(function (config) {
          if (!config || !config.turnstile_site_key) { return; }
          document.getElementById("field-human_check").hidden = false;
          window.intakeTurnstileReady = function () {
            window.turnstile.render("#human-check-widget", {
              sitekey: config.turnstile_site_key,
              callback: function (token) { humanToken = token; },
              "expired-callback": function () { humanToken = ""; }
            });
          };
          var script = document.createElement("script");
          script.src = TURNSTILE_SCRIPT;
          script.async = true;
          document.head.appendChild(script);
        }, function () { /* no config: no check */ });
    }

    function payload() {
      var body = {
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
        website: field("website").value
      };
      if (value("preferred_date")) { body.preferred_date = value("preferred_date"); }
      if (value("reason")) { body.reason = field("reason").value; }
      if (humanToken) { body[TURNSTILE_FIELD] = humanToken; }
      return body;
    }

    function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

    function send(body, attempt) {
      return fetch(ENDPOINT, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        credentials: "same-origin",
        cache: "no-store"
      }).then(function (response) {
        if ((response.status >= 500 || response.status === 429) && attempt < RETRY_DELAYS.length) {
          return retry(body, attempt);
        }
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      }, function () {
        if (attempt < RETRY_DELAYS.length) { return retry(body, attempt); }
        return { status: 0, data: {} };
      });
    }

    function retry(body, attempt) {
      status.textContent = "The connection is slow. Trying again, your details are safe\u2026";
      // The same submission_id: the clinic stores the request once however often it arrives.
      return wait(RETRY_DELAYS[attempt]).then(function () { return send(body, attempt + 1); });
    }

    function finish() {
      sending = false;
      button.disabled = false;
      button.removeAttribute("aria-disabled");
    }

    // Crisis language in the reason brings the 988 box forward (crisis.js, the clinic's one
    // list). Nothing is sent anywhere for it; the visitor can always send the form.
    var crisisBox = document.getElementById("crisis-now");
    var suggestsCrisis = function () { return false; };
    var crisisSeen = false;
    var crisisTimer = null;

    function crisisWords() { return suggestsCrisis(value("reason")); }

    function showCrisis(notSentYet) {
      crisisBox.replaceChildren();
      var p = document.createElement("p");
      var strong = document.createElement("strong");
      strong.textContent = "It sounds like you may be going through something very hard right now.";
      p.appendChild(strong);
      p.appendChild(document.createTextNode(" You can call or text "));
      var call = document.createElement("a");
      call.href = "tel:988";
      call.textContent = "988";
      p.appendChild(call);
      p.appendChild(document.createTextNode(" now, any time. If you are in danger, call your local emergency number."));
      crisisBox.appendChild(p);
      if (notSentYet) {
        var note = document.createElement("p");
        note.textContent = "Your request has not been sent yet. You can still send it: press \u201cSend request\u201d again.";
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
    var crisisListed = Promise.resolve();
    if (crisisBox && window.intakeCrisis) {
      crisisListed = fetch("/assets/crisis-phrases.json", { cache: "no-cache" }).then(function (r) { return r.json(); })
        .then(function (list) {
          suggestsCrisis = window.intakeCrisis.matcher(list.phrases || []);
          checkCrisis();  // a restored draft
        }, function () { /* no list: the page's own crisis note stays */ });
      field("reason").addEventListener("input", function () {
        window.clearTimeout(crisisTimer);
        crisisTimer = window.setTimeout(checkCrisis, 300);
      });
    }

    var waiting = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (sending || waiting) { return; }
      waiting = true;
      // Whether the visitor had seen the 988 box before pressing Send: if the list arrives
      // only now, they have not, and the box comes forward before anything is sent.
      var seen = crisisSeen;
      var patience = new Promise(function (resolve) { window.setTimeout(resolve, 3000); });
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
      var errors = validate();
      if (errors.length) {
        status.textContent = "Please check " + errors.length + (errors.length === 1 ? " answer." : " answers.");
        showErrors(errors);
        return;
      }
      clearErrors();
      sending = true;
      button.disabled = true;
      button.setAttribute("aria-disabled", "true");
      status.textContent = "Sending your request\u2026";
      send(payload(), 0).then(function (result) {
        if (result.status === 201 && result.data.reference) {
          forget();
          status.textContent = "Sent. Your reference is " + result.data.reference + ".";
          // The server marks the same request urgent; its thank-you page puts 988 first.
          var page = crisisWords() ? "/request-received.html" : "/thank-you.html";
          window.location.assign(page + "?ref=" + encodeURIComponent(result.data.reference));
          return;
        }
        finish();
        if (result.status === 422 && result.data.errors) {
          status.textContent = "Please check " + result.data.errors.length + " answers.";
          showErrors(result.data.errors);
          if (humanToken && window.turnstile) { window.turnstile.reset(); humanToken = ""; }
        } else if (result.status === 409) {
          id = newId();
          idInput.value = id;
          if (store) { store.setItem(ID_KEY, id); }
          status.textContent = "";
          showErrors([{ field: "body", message: "This request was already sent with different details. Please check your details and press Send request again to send them as a new request." }]);
        } else if (result.status === 0 || result.status >= 500 || result.status === 429) {
          status.textContent = "";
          showErrors([{ field: "body", message: "We could not reach the clinic just now. Your details are still here: please try again in a minute." }]);
        } else {
          status.textContent = "";
          var message = (result.data.errors && result.data.errors[0] && result.data.errors[0].message) ||
            "Something went wrong. Please try again.";
          showErrors([{ field: "body", message: message }]);
        }
      });
    }
  }

  function initThankYou(target) {
    var ref = new URLSearchParams(window.location.search).get("ref") || "";
    if (REF_RE.test(ref)) { target.textContent = ref; }
  }

  function initSearch(results) {
    var query = (new URLSearchParams(window.location.search).get("q") || "").trim();
    var input = document.getElementById("site-search");
    var status = document.getElementById("search-status");
    if (input) { input.value = query; }
    if (!query) { return; }
    fetch("/assets/search-index.json", { cache: "no-cache" }).then(function (r) { return r.json(); })
      .then(function (pages) {
        var words = query.toLowerCase().split(/\s+/).filter(Boolean);
        var hits = pages.map(function (page) {
          var text = (page.title + " " + page.headings.join(" ") + " " + page.text).toLowerCase();
          var score = 0;
          words.forEach(function (w) {
            if (page.title.toLowerCase().indexOf(w) >= 0) { score += 5; }
            if (text.indexOf(w) >= 0) { score += 1; }
          });
          return { page: page, score: score };
        }).filter(function (h) { return h.score > 0; })
          .sort(function (a, b) { return b.score - a.score; });
        results.textContent = "";
        hits.forEach(function (hit) {
          var li = document.createElement("li");
          var a = document.createElement("a");
          a.href = hit.page.url;
          a.textContent = hit.page.title;
          var p = document.createElement("p");
          p.textContent = hit.page.summary;
          li.appendChild(a);
          li.appendChild(p);
          results.appendChild(li);
        });
        status.textContent = hits.length
          ? hits.length + (hits.length === 1 ? " page matches " : " pages match ") + "\u201c" + query + "\u201d."
          : "No page matches \u201c" + query + "\u201d. Try another word, or read the article.";
      }, function () {
        status.textContent = "Search is not available right now. Choose a page below.";
      });
  }

  function init() {
    var form = document.getElementById("appointment-form");
    if (form) { initForm(form); }
    var reference = document.getElementById("reference");
    if (reference) { initThankYou(reference); }
    var results = document.getElementById("search-results");
    if (results) { initSearch(results); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
