"""The events a firm's records record, by name: what a subscription may ask for."""

from __future__ import annotations

from typing import Literal, get_args

EventName = Literal[
    "account.created", "account.updated", "account.deleted",
    "circle.created", "circle.updated", "circle.deleted",
    "case.created", "case.updated", "case.deleted",
    "plan.created", "plan.updated", "plan.deleted",
    "task.created", "task.updated", "task.deleted", "task.completed",
    "goal.created", "goal.updated", "goal.deleted",
]  # fmt: skip
EVENT_NAMES: tuple[str, ...] = get_args(EventName)
