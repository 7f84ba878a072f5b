/* PKCE for the authorization-code flow (RFC 7636): a random verifier, and its S256 challenge. */

export function base64url(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** `size` random bytes, base64url (a verifier or a state). */
export function randomText(size, crypto = globalThis.crypto) {
  const bytes = new Uint8Array(size);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

/** The S256 challenge of a verifier. */
export function challengeFor(verifier, crypto = globalThis.crypto) {
  return crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))
    .then((digest) => base64url(new Uint8Array(digest)));
}
