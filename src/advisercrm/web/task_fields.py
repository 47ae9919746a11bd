"""The task page's custom-field form: each of the firm's task fields as a control holding
the task's value as text, and the values a sent form changes, as the API's
`custom_fields` takes them (the task service then checks them as it checks the API's)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

PREFIX = "cf."
INTEGER = re.compile(r"^-?[0-9]{1,16}\Z")


def as_text(kind: str, value: Any) -> str:
    """A value as the task shows it, as its control's text: booleans as `true`/`false`
    (the API's words), date-times as a datetime-local control takes them."""
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "datetime":
        return str(value).replace(" ", "T")
    return str(value)


def as_value(kind: str, text: str) -> Any:
    """What a control's text sends: nothing clears the value; a number's text is sent
    as a number when it reads as one, else as it is, for the API to refuse."""
    if text.strip() == "":
        return None
    if kind == "number":
        if INTEGER.match(text.strip()):
            return int(text)
        try:
            return float(text)
        except ValueError:
            return text
    return text


def changes(
    definitions: list[dict[str, Any]], task: Mapping[str, Any], form: Mapping[str, str]
) -> dict[str, Any]:
    """The values the form changes, by reference: only controls whose text differs from
    the task's value, so an untouched field is not written (nor checked) again."""
    current = {item["reference"]: item["value"] for item in task["custom_fields"]}
    changed = {}
    for field in definitions:
        ref, kind = field["reference"], field["type"]
        text = form.get(PREFIX + ref)
        if text is not None:  # a browser sends a textarea's line breaks as CRLF
            text = text.replace("\r\n", "\n")
        if kind == "datetime" and text and len(text) == len("YYYY-MM-DDTHH:MM"):
            text += ":00"  # a datetime-local control leaves out zero seconds
        if text is not None and text != as_text(kind, current.get(ref)):
            changed[ref] = as_value(kind, text)
    return changed


def controls(
    definitions: list[dict[str, Any]],
    task: Mapping[str, Any],
    sent: Mapping[str, str] | None,
    errors: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Each field with its control's name, text (what was sent, when the form comes back
    refused) and the API's error about it."""
    current = {item["reference"]: item["value"] for item in task["custom_fields"]}
    shown = []
    for field in definitions:
        name = PREFIX + field["reference"]
        text = as_text(field["type"], current.get(field["reference"]))
        if sent is not None:
            text = sent.get(name, text)
        error = errors.get(f"custom_fields.{field['reference']}", "")
        shown.append({"field": field, "name": name, "text": text, "error": error})
    return shown
