/* Riverbend Clinic: does what a visitor wrote suggest suicidal thoughts or self-harm?
   The same matching as functions/intake_common/domain/crisis.py, on the same lists
   (/assets/crisis-phrases.json, generated from functions/intake_common/domain/crisis_phrases*.json);
   a test runs both on the list's examples and on random text. Runs in the browser only:
   nothing is sent anywhere for it. */

const APOSTROPHES = /['\u2019\u2018\u02bc]/g;
const NOT_WORD = /[^\p{L}\p{N}]+/gu;

const MARKS = /\p{Mn}/gu;

export function normalise(text) {
  // NFKD with the accents dropped (daño and dano alike), as crisis.py does.
  const folded = String(text).normalize("NFKD").replace(MARKS, "").toLowerCase().replace(APOSTROPHES, "");
  const words = folded.replace(NOT_WORD, " ").trim();
  return " " + words.split(/\s+/).filter(Boolean).join(" ") + " ";
}

export function matcher(phrases) {
  const wanted = phrases.map(normalise);
  return function suggestsCrisis(text) {
    if (!text) { return false; }
    const normalised = normalise(text);
    return wanted.some((phrase) => normalised.indexOf(phrase) !== -1);
  };
}
