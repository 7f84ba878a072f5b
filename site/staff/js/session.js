/* The signed-in session: tokens from the login's token endpoint, kept in memory only (never in
   localStorage, sessionStorage, a cookie or a URL), refreshed shortly before they expire. */

export const REFRESH_MARGIN_MS = 60 * 1000;

/**
 * Ask the token endpoint (a code, or a refresh token) and make the session of its answer. A
 * refresh answer carries no new refresh token: the previous session's is kept.
 */
export function tokenCall(fetchImpl, loginUrl, params, previous, now = () => Date.now()) {
  return fetchImpl(loginUrl + "/oauth2/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params).toString(),
    cache: "no-store",
    credentials: "omit"
  }).then(function (response) {
    if (!response.ok) { throw new Error("token " + response.status); }
    return response.json();
  }).then((tokens) => ({
    id: tokens.id_token,
    access: tokens.access_token,
    refresh: tokens.refresh_token || (previous && previous.refresh),
    expiresAt: now() + (Number(tokens.expires_in) || 900) * 1000
  }));
}

/** Whether the session's tokens expire within the margin (refresh before calling the API). */
export function needsRefresh(session, now = Date.now(), margin = REFRESH_MARGIN_MS) {
  return !!session && session.expiresAt - now < margin;
}

/**
 * A call to the staff API with the session's ID token: a 401 refreshes the tokens and tries
 * once more; a second 401, or a refresh that fails, ends the session (`onExpired`).
 */
export function createApi({ fetchImpl, base, session, fresh, refresh, onExpired }) {
  function call(method, path, body, retried) {
    if (!session()) { return Promise.reject(new Error("signed out")); }
    return fresh().then(function () {
      const options = {
        method: method,
        headers: { Authorization: session().id, Accept: "application/json" },
        cache: "no-store",
        credentials: "omit"
      };
      if (body !== undefined) {
        options.headers["Content-Type"] = "application/json";
        options.body = JSON.stringify(body);
      }
      return fetchImpl(base + path, options);
    }).then(function (response) {
      if (response.status === 401 && !retried) {
        return refresh().then(() => call(method, path, body, true),
          function () { onExpired(); throw new Error("signed out"); });
      }
      if (response.status === 401) { onExpired(); throw new Error("signed out"); }
      return response;
    });
  }
  return call;
}
