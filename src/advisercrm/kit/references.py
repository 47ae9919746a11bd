"""Checking the UUID lists a request body names, against rows resolved in one query."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from advisercrm.kit.errors import Errors

INVALID = "The selected :attribute is invalid."
DUPLICATE = "The :attribute field has a duplicate value."


def check_uuid_list(
    field: str,
    uuids: Sequence[uuid.UUID],
    found: Mapping[uuid.UUID, Any],
    errors: Errors,
    accept: Callable[[Any], bool] = lambda row: True,
    refuse: Callable[[Any], str | None] = lambda row: None,
) -> list[int]:
    """Report duplicates, unknown or unacceptable items, and the items `refuse` gives a
    reason against, as `field.i`, one error per item in item order; return the ids."""
    seen: set[uuid.UUID] = set()
    ids: list[int] = []
    for i, ref in enumerate(uuids):
        row = found.get(ref)
        if ref in seen:
            errors.add(f"{field}.{i}", DUPLICATE)
        elif row is None or not accept(row):
            errors.add(f"{field}.{i}", INVALID)
        elif (reason := refuse(row)) is not None:
            errors.add(f"{field}.{i}", reason)
        else:
            ids.append(int(row["id"]))
        seen.add(ref)
    return ids
