/* Sending the form: network errors, 5xx and 429 are retried with backoff, always with the same
   submission_id (the clinic stores a request once however often it arrives). */

export const RETRY_DELAYS = [1000, 2000, 4000, 8000];

/**
 * Send `body` with `post` (a function returning fetch's promise), retrying as above.
 * Resolves to { status, data } (status 0: the network never answered).
 */
export function sendWithRetries(post, body, { delays = RETRY_DELAYS, wait, onRetry = () => {} }) {
  function attempt(n) {
    return post(body).then(function (response) {
      if ((response.status >= 500 || response.status === 429) && n < delays.length) {
        return retry(n);
      }
      return response.json().catch(() => ({})).then((data) => ({ status: response.status, data: data }));
    }, function () {
      if (n < delays.length) { return retry(n); }
      return { status: 0, data: {} };
    });
  }
  function retry(n) {
    onRetry();
    return wait(delays[n]).then(() => attempt(n + 1));
  }
  return attempt(0);
}

export function wait(ms) { return new Promise((resolve) => { setTimeout(resolve, ms); }); }
