"""Turn pydantic's validation errors into plain words a visitor understands, in the language
of the page the form was sent from (English or Spanish).

One entry per bad field, with a stable ``code`` the page can key on and a ``message`` that
never contains what was typed. This is the one catalogue of what a visitor reads from the API:
field messages, the labels of the no-JavaScript pages, and the answers about the request as a
whole (``PROBLEMS``). Every key exists in both languages (a test fails otherwise); the Spanish
is written for an anxious reader, in the register of a clinic's leaflet (usted).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict, get_args

from pydantic_core import ErrorDetails

from intake_common.domain.models import Language

LANGUAGES: tuple[Language, ...] = get_args(Language)


def language_of(value: object) -> Language:
    """``value`` if it names one of the site's languages, else English."""
    return "es" if value == "es" else "en"


class FieldError(TypedDict):
    field: str
    code: str
    message: str


# Form order, and the labels the no-JavaScript error page puts before each message.
LABELS: dict[Language, dict[str, str]] = {
    "en": {
        "submission_id": "Form session",
        "full_name": "Full name",
        "email": "Email",
        "phone": "Phone",
        "preferred_contact": "How should we contact you",
        "sms_consent": "Text message consent",
        "visit_type": "Visit type",
        "preferred_date": "Preferred date",
        "preferred_time": "Preferred time",
        "reason": "Reason for your visit",
        "consent": "Privacy notice",
        "consent_version": "Privacy notice version",
        "language": "Language",
        "website": "Website",
        "human_check": "Human check",
        "body": "The form",
    },
    "es": {
        "submission_id": "Sesión del formulario",
        "full_name": "Nombre completo",
        "email": "Correo electrónico",
        "phone": "Teléfono",
        "preferred_contact": "Cómo prefiere que le contactemos",
        "sms_consent": "Permiso para mensajes de texto",
        "visit_type": "Tipo de visita",
        "preferred_date": "Fecha preferida",
        "preferred_time": "Hora preferida",
        "reason": "Motivo de su visita",
        "consent": "Aviso de privacidad",
        "consent_version": "Versión del aviso de privacidad",
        "language": "Idioma",
        "website": "Sitio web",
        "human_check": "Verificación de persona",
        "body": "El formulario",
    },
}
FIELD_LABELS = LABELS["en"]
_FIELDS = [field for field in FIELD_LABELS if field != "body"]

_MESSAGES_BY_LANGUAGE: dict[Language, dict[tuple[str, str], str]] = {
    "en": {
        ("full_name", "required"): "Please enter your name.",
        ("full_name", "too_long"): "Please shorten your name to 100 characters or fewer.",
        ("full_name", "name_characters"): (
            "Please use only letters, spaces and the characters ' - . , in your name."
        ),
        ("email", "required"): "Please enter your email address.",
        ("email", "too_long"): "Please use an email address of 254 characters or fewer.",
        ("email", "email_invalid"): "Please enter an email address like name@example.com.",
        ("phone", "required"): "Please enter your phone number.",
        ("phone", "phone_invalid"): (
            "Please enter a phone number we can call, like (415) 555-2671 or +44 20 7946 0958."
        ),
        ("phone", "too_long"): "Please enter a phone number we can call.",
        ("preferred_contact", "invalid"): "Please choose email, phone call or text message.",
        ("sms_consent", "sms_consent_required"): (
            "To be contacted by text message, please agree to receive texts."
        ),
        ("sms_consent", "invalid"): "Please tick or untick the box to agree to text messages.",
        ("visit_type", "invalid"): "Please tell us whether you are a new or returning patient.",
        ("preferred_date", "date_in_past"): "Please choose today or a later date.",
        ("preferred_date", "date_too_far"): "Please choose a date within the next year.",
        ("preferred_date", "invalid"): "Please enter the date as year-month-day, like 2026-12-01.",
        ("preferred_time", "invalid"): "Please choose morning, afternoon, evening or any time.",
        ("reason", "too_long"): "Please shorten this to 1000 characters or fewer.",
        ("consent", "consent_required"): "Please confirm that you have read the privacy notice.",
        ("consent", "invalid"): "Please confirm that you have read the privacy notice.",
        ("consent_version", "consent_version_invalid"): (
            "Please reload the page and try again (the privacy notice version is not valid)."
        ),
        ("submission_id", "invalid"): "Please reload the page and try again.",
        ("language", "invalid"): "Please reload the page and try again.",
        ("website", "invalid"): "Please leave this field empty.",
        ("human_check", "human_check_failed"): (
            "We could not confirm that a person sent this form. Please complete the check above "
            "the button and send it again, or call the clinic."
        ),
    },
    "es": {
        ("full_name", "required"): "Escriba su nombre, por favor.",
        ("full_name", "too_long"): "Acorte su nombre a 100 caracteres o menos, por favor.",
        ("full_name", "name_characters"): (
            "En su nombre, use solo letras, espacios y los signos ' - . , por favor."
        ),
        ("email", "required"): "Escriba su correo electrónico, por favor.",
        ("email", "too_long"): "Use un correo electrónico de 254 caracteres o menos, por favor.",
        ("email", "email_invalid"): (
            "Escriba un correo electrónico como nombre@ejemplo.com, por favor."
        ),
        ("phone", "required"): "Escriba su número de teléfono, por favor.",
        ("phone", "phone_invalid"): (
            "Escriba un número al que podamos llamarle, como (415) 555-2671 o +52 55 1234 5678."
        ),
        ("phone", "too_long"): "Escriba un número de teléfono al que podamos llamarle, por favor.",
        ("preferred_contact", "invalid"): (
            "Elija correo electrónico, llamada o mensaje de texto, por favor."
        ),
        ("sms_consent", "sms_consent_required"): (
            "Para recibir mensajes de texto, marque la casilla que dice que está de acuerdo."
        ),
        ("sms_consent", "invalid"): (
            "Marque o desmarque la casilla de los mensajes de texto, por favor."
        ),
        ("visit_type", "invalid"): "Díganos si es paciente nuevo o si ya vino antes, por favor.",
        ("preferred_date", "date_in_past"): "Elija hoy o una fecha más adelante, por favor.",
        ("preferred_date", "date_too_far"): "Elija una fecha dentro del próximo año, por favor.",
        ("preferred_date", "invalid"): (
            "Escriba la fecha como año-mes-día, por ejemplo 2026-12-01, por favor."
        ),
        ("preferred_time", "invalid"): "Elija mañana, tarde, noche o a cualquier hora, por favor.",
        ("reason", "too_long"): "Acorte este texto a 1000 caracteres o menos, por favor.",
        ("consent", "consent_required"): "Confirme que leyó el aviso de privacidad, por favor.",
        ("consent", "invalid"): "Confirme que leyó el aviso de privacidad, por favor.",
        ("consent_version", "consent_version_invalid"): (
            "Vuelva a cargar la página e inténtelo otra vez (la versión del aviso de privacidad "
            "no es válida)."
        ),
        ("submission_id", "invalid"): "Vuelva a cargar la página e inténtelo otra vez, por favor.",
        ("language", "invalid"): "Vuelva a cargar la página e inténtelo otra vez, por favor.",
        ("website", "invalid"): "Deje este campo vacío, por favor.",
        ("human_check", "human_check_failed"): (
            "No pudimos confirmar que una persona envió este formulario. Complete la "
            "verificación que está arriba del botón y envíelo otra vez, o llame a la clínica."
        ),
    },
}
_MESSAGES = _MESSAGES_BY_LANGUAGE["en"]

_GENERIC_BY_LANGUAGE: dict[Language, dict[str, str]] = {
    "en": {
        "required": "This field is required.",
        "missing": "This field is required.",
        "too_long": "This is too long.",
        "control_characters": (
            "This contains characters we cannot accept (such as invisible ones)."
        ),
        "extra_forbidden": "The request contains a field that is not part of the form.",
        "invalid": "This value is not valid.",
    },
    "es": {
        "required": "Este campo es obligatorio.",
        "missing": "Este campo es obligatorio.",
        "too_long": "Este texto es demasiado largo.",
        "control_characters": (
            "Tiene caracteres que no podemos aceptar (por ejemplo, caracteres invisibles)."
        ),
        "extra_forbidden": "La solicitud tiene un campo que no es parte del formulario.",
        "invalid": "Este valor no es válido.",
    },
}
_GENERIC = _GENERIC_BY_LANGUAGE["en"]
_FILL_IN: dict[Language, str] = {
    "en": "Please fill in {label}.",
    "es": "Complete «{label}», por favor.",
}

# The answers about the request as a whole (it could not be read, sent, or stored), by code.
PROBLEMS: dict[Language, dict[str, str]] = {
    "en": {
        "unsupported_media_type": "Please send the form as JSON or as form data.",
        "unsupported_charset": "Please send the form encoded as UTF-8.",
        "unsupported_encoding": "Please send the form uncompressed.",
        "too_large": "The request is too large (at most 16 KiB).",
        "empty_body": "The request is empty: please fill in the form.",
        "invalid_encoding": "The request is not valid UTF-8.",
        "unreadable_body": "The request body could not be read.",
        "duplicate_field": "A field appears more than once.",
        "number_too_long": "The request holds a number that is too long.",
        "invalid_json": "The request is not valid JSON.",
        "too_deep": "The request is nested too deeply.",
        "not_an_object": "The request must be a JSON object of fields.",
        "invalid_form": "The form data could not be read.",
        "cross_site": "Please send the form from the clinic's own page.",
        "conflict": (
            "This request was already sent with different details. Please reload the page."
        ),
        "check_unavailable": (
            "We could not check the form just now. Please try again in a minute."
        ),
        "storage_unavailable": (
            "We could not save your request just now. Please try again in a minute."
        ),
        "briefly_unavailable": "The service is briefly unavailable. Please try again in a minute.",
        "forbidden": "Please use the clinic's website.",
        "method_not_allowed": "Please send the form with POST.",
        "not_found": "There is nothing here.",
        "internal": "Something went wrong on our side. Please try again in a minute.",
    },
    "es": {
        "unsupported_media_type": "Envíe el formulario como JSON o como datos de formulario.",
        "unsupported_charset": "Envíe el formulario con la codificación UTF-8.",
        "unsupported_encoding": "Envíe el formulario sin comprimir.",
        "too_large": "La solicitud es demasiado grande (como máximo 16 KiB).",
        "empty_body": "La solicitud está vacía: llene el formulario, por favor.",
        "invalid_encoding": "La solicitud no es UTF-8 válido.",
        "unreadable_body": "No pudimos leer el contenido de la solicitud.",
        "duplicate_field": "Un campo aparece más de una vez.",
        "number_too_long": "La solicitud tiene un número demasiado largo.",
        "invalid_json": "La solicitud no es JSON válido.",
        "too_deep": "La solicitud tiene demasiados niveles anidados.",
        "not_an_object": "La solicitud debe ser un objeto JSON con los campos.",
        "invalid_form": "No pudimos leer los datos del formulario.",
        "cross_site": "Envíe el formulario desde la página de la clínica, por favor.",
        "conflict": (
            "Esta solicitud ya se envió con otros datos. Vuelva a cargar la página, por favor."
        ),
        "check_unavailable": (
            "No pudimos revisar el formulario en este momento. Inténtelo otra vez en un minuto."
        ),
        "storage_unavailable": (
            "No pudimos guardar su solicitud en este momento. Inténtelo otra vez en un minuto."
        ),
        "briefly_unavailable": (
            "El servicio no está disponible por un momento. Inténtelo otra vez en un minuto."
        ),
        "forbidden": "Use la página web de la clínica, por favor.",
        "method_not_allowed": "Envíe el formulario con POST.",
        "not_found": "Aquí no hay nada.",
        "internal": "Algo salió mal de nuestro lado. Inténtelo otra vez en un minuto.",
    },
}

# pydantic's built-in error types, folded into our few codes.
_TYPE_TO_CODE: dict[str, str] = {
    "missing": "required",
    "string_too_long": "too_long",
    "extra_forbidden": "extra_forbidden",
}


_OWN_CODES = frozenset(code for _, code in _MESSAGES) | frozenset(_GENERIC)


def _code_for(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind in _TYPE_TO_CODE:
        return _TYPE_TO_CODE[kind]
    return kind if kind in _OWN_CODES else "invalid"


def _message(field: str, code: str, language: Language) -> str:
    generic = _GENERIC_BY_LANGUAGE[language]
    found = _MESSAGES_BY_LANGUAGE[language].get((field, code)) or generic.get(code)
    return found or generic["invalid"]


def field_errors(errors: Iterable[ErrorDetails], language: Language = "en") -> list[FieldError]:
    """One entry per field (the first problem found), in form order, in ``language``."""
    seen: dict[str, FieldError] = {}
    for error in errors:
        location = error.get("loc") or ("body",)
        field = str(location[0])
        if field in seen:
            continue
        code = _code_for(error)
        if field not in _FIELDS:
            # An unknown key is reported as a whole-request problem: even a key name can be
            # something a person typed, so it is not repeated back.
            field, code = "body", "extra_forbidden"
            if field in seen:
                continue
        message = _message(field, code, language)
        if code == "required" and (field, "required") not in _MESSAGES:
            label = LABELS[language][field]
            message = _FILL_IN[language].format(label=label.lower() if language == "en" else label)
        seen[field] = FieldError(field=field, code=code, message=message)
    return sorted(
        seen.values(), key=lambda e: _FIELDS.index(e["field"]) if e["field"] in _FIELDS else 99
    )


# The page checks some fields before sending, under its own code for a field left empty; its
# words are the server's for that field.
_PAGE_ALIASES = {
    ("preferred_contact", "required"): ("preferred_contact", "invalid"),
    ("visit_type", "required"): ("visit_type", "invalid"),
}


def page_messages() -> dict[str, dict[str, dict[str, str]]]:
    """The words the form's pages show, by language, field and code: these same messages
    (``make site-index`` writes them into ``site/assets/js/messages.js``)."""
    pages: dict[str, dict[str, dict[str, str]]] = {}
    for language in LANGUAGES:
        messages = _MESSAGES_BY_LANGUAGE[language]
        catalogue: dict[str, dict[str, str]] = {}
        for (field, code), message in messages.items():
            catalogue.setdefault(field, {})[code] = message
        for (field, code), (source_field, source_code) in _PAGE_ALIASES.items():
            catalogue[field][code] = messages[(source_field, source_code)]
        pages[language] = catalogue
    return pages


def field_error(field: str, code: str, language: Language = "en") -> FieldError:
    """One field's error in our words (for a rule checked outside the model)."""
    return FieldError(field=field, code=code, message=_message(field, code, language))


def problem(code: str, language: Language = "en") -> str:
    """The words for a problem with the request as a whole (``PROBLEMS``)."""
    return PROBLEMS[language][code]


def body_error(code: str, message: str) -> dict[str, Any]:
    """An error about the request as a whole (format, size), in the same shape."""
    return {"errors": [{"field": "body", "code": code, "message": message}]}
