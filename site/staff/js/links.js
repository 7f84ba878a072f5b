/* Links from a request's details: an address or a number a person typed must stay one address
   or one number (a mailto: URL can carry headers and a body after "?"). */

/** A mailto: link to exactly this address: everything but the @ between its parts is encoded. */
export function mailto(address) {
  const at = address.lastIndexOf("@");
  const local = at < 0 ? address : address.slice(0, at);
  const domain = at < 0 ? "" : address.slice(at + 1);
  return "mailto:" + encodeURIComponent(local) + (at < 0 ? "" : "@" + encodeURIComponent(domain));
}

/** A tel: link to an E.164 number (as the server stores it); anything else gets no link. */
export function tel(number) {
  return /^\+[1-9][0-9]{6,14}$/.test(number) ? "tel:" + number : "";
}
