/* What the visitor typed, kept in this tab's sessionStorage across a reload (never a walk
   away: 30 minutes), with the request's one submission_id, until the request is stored. */

export const ID_KEY = "intake.submission_id";
export const DRAFT_KEY = "intake.draft";
export const DRAFT_TTL_MS = 30 * 60 * 1000;

/** A draft kept in `store` (sessionStorage, or null where the browser refuses it). */
export function createDraft(store, { now = () => Date.now(), ttlMs = DRAFT_TTL_MS } = {}) {
  function read() {
    if (!store) { return null; }
    try { return JSON.parse(store.getItem(DRAFT_KEY) || "null"); } catch (e) { return null; }
  }
  function forget() {
    if (store) { store.removeItem(DRAFT_KEY); store.removeItem(ID_KEY); }
  }
  return {
    /** The saved fields, or null. */
    fields() {
      const saved = read();
      return (saved && saved.fields) || null;
    },
    save(fields) {
      if (!store) { return; }
      store.setItem(DRAFT_KEY, JSON.stringify({ saved_at: now(), fields: fields }));
    },
    /** Forget a draft saved longer ago than the time it may be kept. */
    discardStale() {
      const saved = read();
      if (saved && !(saved.saved_at > now() - ttlMs)) { forget(); }
    },
    forget: forget,
    /** The request's id: the one kept, or a new one (kept from now on). */
    id(make) {
      const id = (store && store.getItem(ID_KEY)) || make();
      if (store) { store.setItem(ID_KEY, id); }
      return id;
    },
    keepId(id) {
      if (store) { store.setItem(ID_KEY, id); }
    }
  };
}

/** A random UUID v4: the request's idempotency key. */
export function newId(crypto = globalThis.crypto) {
  if (crypto && typeof crypto.randomUUID === "function") { return crypto.randomUUID(); }
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.prototype.map.call(b, (x) => (x + 256).toString(16).slice(1)).join("");
  return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
}
