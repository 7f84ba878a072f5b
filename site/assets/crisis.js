/* Riverbend Clinic: does what a visitor wrote suggest suicidal thoughts or self-harm?
   The same matching as functions/intake_common/crisis.py, on the same list
   (/assets/crisis-phrases.json, generated from functions/intake_common/crisis_phrases.json);
   a test runs both on the list's examples and on random text. Runs in the browser only:
   nothing is sent anywhere for it. */
(function (root) {
  "use strict";

  var APOSTROPHES = /['\u2019\u2018\u02bc]/g;
  var NOT_WORD = /[^\p{L}\p{N}]+/gu;

  function normalise(text) {
    var folded = String(text).normalize("NFKC").toLowerCase().replace(APOSTROPHES, "");
    var words = folded.replace(NOT_WORD, " ").trim();
    return " " + words.split(/\s+/).filter(Boolean).join(" ") + " ";
  }

  function matcher(phrases) {
    var wanted = phrases.map(normalise);
    return function suggestsCrisis(text) {
      if (!text) { return false; }
      var normalised = normalise(text);
      return wanted.some(function (phrase) { return normalised.indexOf(phrase) !== -1; });
    };
  }

  var api = { normalise: normalise, matcher: matcher };
  if (typeof module !== "undefined" && module.exports) { module.exports = api; }
  root.intakeCrisis = api;
}(typeof window !== "undefined" ? window : globalThis));
