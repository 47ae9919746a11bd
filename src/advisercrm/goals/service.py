"""Goal rules: client owners, circles that contain an owner (docs/API.md, Goals)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from asyncpg import Record
from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts.description import ACCOUNTS
from advisercrm.auth.principal import Principal
from advisercrm.circles.description import CIRCLES
from advisercrm.goals.description import GOALS
from advisercrm.goals.repository import GoalRepository
from advisercrm.goals.schemas import COLUMNS, ClientGoalUpdate, GoalCreate, GoalUpdate
from advisercrm.kit.body import BodyErrors
from advisercrm.kit.errors import Errors, NotFound
from advisercrm.kit.references import check_uuid_list
from advisercrm.kit.render import Ctx
from advisercrm.resource import service as resource_service

# A goal's owners are accounts (set with account_uuids through v2), not one owner of a
# shared client singled out.
NO_SHARED_OWNER = (
    "The :attribute field is not supported: a goal's owners are set with account_uuids "
    "(PUT /api/v2/goals/{uuid})."
)
NO_OWNER_IN_CIRCLE = "The :attribute circle must contain at least one of the goal's owners."


async def _owner_ids(
    conn: AsyncConnection, principal: Principal, uuids: list[uuid.UUID], errors: Errors
) -> list[int]:
    found = await resource_service.resolve(conn, principal, ACCOUNTS, uuids)
    return check_uuid_list(
        "account_uuids", uuids, found, errors, lambda r: r["visible"] and r["type"] == "client"
    )


async def _circle_ids(
    conn: AsyncConnection,
    principal: Principal,
    uuids: list[uuid.UUID],
    owner_ids: list[int],
    errors: Errors,
) -> list[int]:
    resolved = await resource_service.resolve(conn, principal, CIRCLES, uuids)
    found = {ref: row for ref, row in resolved.items() if row["visible"]}
    with_owner = await GoalRepository(conn, principal.firm_id).circles_with_owner(
        [r["id"] for r in found.values()], owner_ids
    )
    return _check_circles(uuids, found, bool(owner_ids), lambda r: r["id"] in with_owner, errors)


def _check_circles(  # as `goals.repository._create_query` checks them in SQL
    uuids: list[uuid.UUID],
    found: Mapping[uuid.UUID, Any],
    has_owners: bool,
    holds_owner: Callable[[Any], bool],
    errors: Errors,
) -> list[int]:
    """Circles of the firm the principal sees, each containing one of the owners."""

    def refuse(row: Any) -> str | None:
        # Without valid owners (already an error) there is nothing to check against.
        return NO_OWNER_IN_CIRCLE if has_owners and not holds_owner(row) else None

    return check_uuid_list("visible_to_circles_uuids", uuids, found, errors, refuse=refuse)


async def create(
    conn: AsyncConnection, principal: Principal, body: GoalCreate, ctx: Ctx
) -> dict[str, Any]:
    repo = GoalRepository(conn, principal.firm_id)
    errors = BodyErrors(body)
    owner_uuids, circle_uuids = body.account_uuids or [], body.visible_to_circles_uuids or []
    row = None
    if errors:  # a malformed body: its references are checked, nothing is written
        owners, circles = await repo.references(principal, owner_uuids, circle_uuids)
    else:
        values = body.model_dump(include=set(COLUMNS))
        values["show_on_circles"] = body.show_on_circles
        row, owners, circles = await repo.create(principal, values, owner_uuids, circle_uuids)
    owner_ids = check_uuid_list("account_uuids", owner_uuids, owners, errors, _ok)
    circle_ids = _check_circles(circle_uuids, circles, bool(owner_ids), _ok, errors)
    errors.raise_if_any()  # a failed check: the statement inserted nothing
    if row is None:
        raise RuntimeError("the goal's statement and its checks disagree on its references")
    # Listed as GOALS.load lists them: owners in the body's order, circles by id.
    row |= {"owner_ids": owner_ids, "circle_ids": sorted(circle_ids)}
    shown = (await resource_service.render_rows(conn, principal, GOALS, [row], ctx))[0]
    return await _recorded(conn, principal, "created", shown, int(row["id"]), ctx)


async def _recorded(
    conn: AsyncConnection,
    principal: Principal,
    action: str,
    shown: dict[str, Any],
    goal_id: int,
    ctx: Ctx,
) -> dict[str, Any]:
    async def again(owner: Principal) -> dict[str, Any]:
        return (await resource_service.render(conn, owner, GOALS, [goal_id], ctx))[0]

    return await resource_service.recorded(conn, principal, GOALS, action, shown, again)


def _ok(row: Any) -> bool:
    return bool(row["ok"])


async def find_locked(
    conn: AsyncConnection, principal: Principal, goal_uuid: uuid.UUID
) -> int | None:
    """As `find`, holding the goal's row until commit, so that concurrent writes to one
    goal check their rules against each other's results."""
    return await GoalRepository(conn, principal.firm_id).find_id(goal_uuid, principal, True)


async def owned_by(conn: AsyncConnection, client: Record, goal_id: int) -> None:
    """404 unless the client owns the goal (a client's v1 paths hold only its goals)."""
    owner_ids, _ = await GoalRepository(conn, client["firm_id"]).links(goal_id)
    if client["id"] not in owner_ids:
        raise NotFound()


async def show(
    conn: AsyncConnection, principal: Principal, row: Record, ctx: Ctx, owner_id: int | None
) -> dict[str, Any]:
    """A goal found `loaded`; on a client's path, only one the client owns."""
    if owner_id is not None and owner_id not in row["owner_ids"]:
        raise NotFound()
    return await resource_service.show(conn, principal, GOALS, row, ctx)


async def update(
    conn: AsyncConnection,
    principal: Principal,
    goal_id: int,
    body: GoalUpdate,
    ctx: Ctx,
) -> dict[str, Any]:
    repo = GoalRepository(conn, principal.firm_id)
    errors = BodyErrors(body)
    given = body.model_fields_set
    owner_ids, shown_in = await repo.links(goal_id)
    if body.account_uuids is not None:
        owner_ids = await _owner_ids(conn, principal, body.account_uuids, errors)
    circle_ids = None
    if body.visible_to_circles_uuids is not None or "visible_to_circles_uuids" in given:
        circle_ids = await _circle_ids(
            conn, principal, body.visible_to_circles_uuids or [], owner_ids, errors
        )
    elif body.account_uuids is not None and shown_in:
        kept = await repo.circles_with_owner(shown_in, owner_ids)
        if owner_ids and set(shown_in) - kept:
            errors.add(
                "account_uuids", "Every circle the goal is shown in must contain one of its owners."
            )
    errors.raise_if_any()
    values = body.model_dump(include=set(COLUMNS) & given)
    show = body.show_on_circles if body.show_on_circles is not None else body.shown_on_circles
    if show is not None:
        values["show_on_circles"] = show
    await repo.update(goal_id, values)
    if body.account_uuids is not None:
        await repo.replace_owners(goal_id, owner_ids)
    if circle_ids is not None:
        await repo.replace_circles(goal_id, circle_ids)
    shown = (await resource_service.render(conn, principal, GOALS, [goal_id], ctx))[0]
    return await _recorded(conn, principal, "updated", shown, goal_id, ctx)


async def update_for_client(
    conn: AsyncConnection,
    principal: Principal,
    goal_id: int,
    body: ClientGoalUpdate,
    ctx: Ctx,
) -> dict[str, Any]:
    """The v1 update: the goal's own columns (its owners and circles stay as they are)."""
    errors = BodyErrors(body)
    if body.shared_owner_uuid is not None:
        errors.add("shared_owner_uuid", NO_SHARED_OWNER)
    errors.raise_if_any()
    values = body.model_dump(include=set(COLUMNS) & body.model_fields_set)
    await GoalRepository(conn, principal.firm_id).update(goal_id, values)
    shown = (await resource_service.render(conn, principal, GOALS, [goal_id], ctx))[0]
    return await _recorded(conn, principal, "updated", shown, goal_id, ctx)
