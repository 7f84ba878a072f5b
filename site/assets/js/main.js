/* Riverbend Clinic's pages: the appointment form, the thank-you reference and the site search.
   A module: it runs once the page is parsed. */

import { initForm } from "./form.js";
import { initSearch } from "./search.js";

const REF_RE = /^[0-9A-Z]{4}-[0-9A-Z]{4}$/;

function initThankYou(target) {
  const ref = new URLSearchParams(window.location.search).get("ref") || "";
  if (REF_RE.test(ref)) {
    target.textContent = ref;
    // The other language's page shows the same reference.
    const other = document.querySelector("a.lang-switch");
    if (other) { other.setAttribute("href", other.getAttribute("href") + "?ref=" + ref); }
  }
}

const form = document.getElementById("appointment-form");
if (form) { initForm(form); }
const reference = document.getElementById("reference");
if (reference) { initThankYou(reference); }
const results = document.getElementById("search-results");
if (results) { initSearch(results); }
