/* The idle time-out: after `limitMs` without a key press or a click (or a touch), the page
   forgets what it showed and signs out. */

export function createIdleWatch({ limitMs, now = () => Date.now() }) {
  let lastActivity = now();
  return {
    noteActivity() { lastActivity = now(); },
    /** Whether a signed-in page has been idle for the limit. */
    idle(signedIn) { return !!signedIn && now() - lastActivity >= limitMs; }
  };
}
