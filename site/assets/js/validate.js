/* The form's own checks before sending: the server's rules where the page can know them, in the
   server's words (messages.js). The server checks everything again. */

import { MESSAGES } from "./messages.js";

const NAME_RE = /^[\p{L}\p{M} '\-.,\u2019]+$/u;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_RE = /^[0-9+().\-\s]+$/;

/**
 * The problems with the form's values, one per field, in form order.
 * `value(name)` reads a field (text trimmed; a checkbox's checked state); `dates` is
 * { min, max } as YYYY-MM-DD; `language` is the page's ("en" or "es").
 */
export function validate(value, dates, language = "en") {
  const errors = [];
  const messages = MESSAGES[language] || MESSAGES.en;
  function add(name, code) { errors.push({ field: name, code: code, message: messages[name][code] }); }
  const name = value("full_name").replace(/\s+/g, " ");
  if (!name) { add("full_name", "required"); }
  else if (name.length > 100) { add("full_name", "too_long"); }
  else if (!NAME_RE.test(name) || !/\p{L}/u.test(name)) { add("full_name", "name_characters"); }
  const email = value("email");
  if (!email) { add("email", "required"); }
  else if (email.length > 254) { add("email", "too_long"); }
  else if (!EMAIL_RE.test(email)) { add("email", "email_invalid"); }
  const phone = value("phone");
  const digits = phone.replace(/\D/g, "").length;
  if (!phone) { add("phone", "required"); }
  else if (phone.length > 40 || !PHONE_RE.test(phone) || digits < 7 || digits > 15) { add("phone", "phone_invalid"); }
  const contact = value("preferred_contact");
  if (!contact) { add("preferred_contact", "required"); }
  if (contact === "text" && !value("sms_consent")) { add("sms_consent", "sms_consent_required"); }
  if (!value("visit_type")) { add("visit_type", "required"); }
  const date = value("preferred_date");
  if (date && date < dates.min) { add("preferred_date", "date_in_past"); }
  else if (date && date > dates.max) { add("preferred_date", "date_too_far"); }
  if (value("reason").replace(/\r\n/g, "\n").length > 1000) { add("reason", "too_long"); }
  if (!value("consent")) { add("consent", "consent_required"); }
  return errors;
}

/** YYYY-MM-DD of a local date. */
export function isoDate(d) {
  const m = d.getMonth() + 1;
  const day = d.getDate();
  return d.getFullYear() + "-" + (m < 10 ? "0" : "") + m + "-" + (day < 10 ? "0" : "") + day;
}
