/* The page's own words in the site's two languages (the API's words are in messages.js,
   generated from the server's catalogue). Every key exists in both: a test fails otherwise.
   The page's language is <html lang>: "es" for the pages under /es/, English otherwise. */

export const WORDS = {
  en: {
    labels: {
      full_name: "Full name", email: "Email", confirmation_email: "Confirmation email",
      phone: "Phone", preferred_contact: "How should we contact you",
      sms_consent: "Text message consent", visit_type: "Visit type",
      preferred_date: "Preferred date", preferred_time: "Preferred time",
      reason: "What would you like to talk about", consent: "Privacy notice",
      human_check: "Human check", body: "Your request"
    },
    slow: "The connection is slow. Trying again, your details are safe\u2026",
    crisis_lead: "It sounds like you may be going through something very hard right now.",
    crisis_call: " You can call or text ",
    crisis_after: " now, any time. If you are in danger, call your local emergency number.",
    crisis_not_sent: "Your request has not been sent yet. You can still send it: press \u201cSend request\u201d again.",
    check_one: "Please check 1 answer.",
    check_many: "Please check {n} answers.",
    sending: "Sending your request\u2026",
    sent: "Sent. Your reference is {ref}.",
    conflict: "This request was already sent with different details. Please check your details and press Send request again to send them as a new request.",
    unreachable: "We could not reach the clinic just now. Your details are still here: please try again in a minute.",
    wrong: "Something went wrong. Please try again.",
    cleared: "Cleared. Nothing was sent.",
    search_one: "1 page matches \u201c{q}\u201d.",
    search_many: "{n} pages match \u201c{q}\u201d.",
    search_none: "No page matches \u201c{q}\u201d. Try another word, or read the article.",
    search_unavailable: "Search is not available right now. Choose a page below."
  },
  es: {
    labels: {
      full_name: "Nombre completo", email: "Correo electrónico",
      confirmation_email: "Correo de confirmación", phone: "Teléfono",
      preferred_contact: "Cómo prefiere que le contactemos",
      sms_consent: "Permiso para mensajes de texto", visit_type: "Tipo de visita",
      preferred_date: "Fecha preferida", preferred_time: "Hora preferida",
      reason: "De qué le gustaría hablar", consent: "Aviso de privacidad",
      human_check: "Verificación de persona", body: "Su solicitud"
    },
    slow: "La conexión está lenta. Lo intentamos otra vez; sus datos están a salvo\u2026",
    crisis_lead: "Parece que usted está pasando por un momento muy difícil.",
    crisis_call: " Puede llamar al ",
    crisis_after: " y marcar 2 para español, o enviar el texto AYUDA al 988, ahora, a cualquier hora. Si está en peligro, llame al 911.",
    crisis_not_sent: "Su solicitud todavía no se ha enviado. Puede enviarla: presione \u201cEnviar solicitud\u201d otra vez.",
    check_one: "Revise 1 respuesta, por favor.",
    check_many: "Revise {n} respuestas, por favor.",
    sending: "Enviando su solicitud\u2026",
    sent: "Enviada. Su número de referencia es {ref}.",
    conflict: "Esta solicitud ya se envió con otros datos. Revise sus datos y presione Enviar solicitud otra vez para mandarlos como una solicitud nueva.",
    unreachable: "No pudimos comunicarnos con la clínica en este momento. Sus datos siguen aquí: inténtelo otra vez en un minuto, por favor.",
    wrong: "Algo salió mal. Inténtelo otra vez, por favor.",
    cleared: "Formulario borrado. No se envió nada.",
    search_one: "1 página coincide con \u201c{q}\u201d.",
    search_many: "{n} páginas coinciden con \u201c{q}\u201d.",
    search_none: "Ninguna página coincide con \u201c{q}\u201d. Pruebe con otra palabra o lea el artículo.",
    search_unavailable: "La búsqueda no está disponible en este momento. Elija una página de abajo."
  }
};

/** The page's language: "es" or "en". */
export function pageLanguage(doc) {
  return doc && doc.documentElement && doc.documentElement.lang === "es" ? "es" : "en";
}

/** `text` with each {name} replaced by values[name]. */
export function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
