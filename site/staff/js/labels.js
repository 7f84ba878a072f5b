/* The words the staff inbox shows for the item's states (a static test keeps them in step with
   the item contract: every status, alert state and confirmation state has its label). */

export const STATUS_LABELS = { "new": "New", contacted: "Contacted", scheduled: "Scheduled", closed: "Closed", spam: "Spam" };
export const ALERT_LABELS = { pending: "Sending", sent: "Sent", summarized: "In a summary", failed: "Failed: nobody was alerted", skipped: "Not sent (spam)" };
export const CONTACT_LABELS = { email: "Email", phone: "Phone call", text: "Text message" };
export const VISIT_LABELS = { "new": "New patient", returning: "Returning patient" };
export const TIME_LABELS = { any: "Any time", morning: "Morning", afternoon: "Afternoon", evening: "Evening" };
export const CONFIRMATION_LABELS = {
  not_requested: "Not asked for", pending: "Asked for, not sent yet", sent: "Sent",
  sent_today: "Not sent: one went to this address today",
  alert_limit: "Not sent: the email alert limit was reached",
  failed: "Not sent: the address was refused"
};
export const OUTCOME_LABELS = {
  scheduled: "Appointment scheduled", referred: "Referred elsewhere", declined: "Declined by the person",
  unreachable: "Unreachable after attempts", duplicate: "Duplicate request", spam: "Spam"
};
export const ATTEMPT_LABELS = { no_answer: "no answer", voicemail: "voicemail left", wrong_number: "wrong number" };
// Why the last session ended, shown on the signed-out page.
export const REASONS = {
  idle: "You were signed out after a while without activity, and the page was cleared. Sign in again to continue.",
  expired: "Your session ended. Sign in again to continue.",
  signed_out: "You are signed out.",
  refused: "Sign-in did not complete. Please try again.",
  forbidden: "Your account is not in the staff or admin group. Ask the clinic's administrator."
};

// The staff alerts that did not arrive (bounced after SES accepted them, or refused), one line
// each: which address or phone, and why, so that it can be fixed.
export function undelivered(alerts) {
  return (alerts || []).filter(function (alert) {
    return (alert.channel === "email" || alert.channel === "sms") &&
      (alert.state === "bounced" || alert.state === "failed");
  }).map(function (alert) {
    var what = alert.state === "bounced" ? "bounced" : "refused";
    return alert.to + ": " + what + " (" + (alert.error || "no reason given") + ")";
  });
}
