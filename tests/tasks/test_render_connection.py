"""Task rendering reads rows of other tables as PostgreSQL row values (the status, the
people, the custom fields, the plan or case), which asyncpg decodes only for types it
has looked up on that connection. A connection that has done nothing else must render
a task as the API does."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from advisercrm.auth.principal import Principal
from advisercrm.db import create_engine
from advisercrm.kit.render import Ctx, zone
from advisercrm.tables import tasks
from advisercrm.tasks.includes import render
from tests.helpers import Firm
from tests.tasks.support import World, add_fields, shown


async def test_a_fresh_connection_renders_every_part_of_a_task(
    fresh: World, firm: Firm, database_url: str
) -> None:
    await add_fields(firm)
    member = await firm.actor(role="member")
    body = fresh.body(
        taskable_type="plan",
        taskable_uuid=fresh.plan["uuid"],
        parent_task_uuid=fresh.task["uuid"],
        assigned_to_uuids=[member.account_uuid, fresh.owner.account_uuid],
        group_uuids=[fresh.group["uuid"]],
        custom_fields={"favourite_pet": "Dog", "score": 7, "urgent_flag": True},
    )
    made = await fresh.task_made(**body)
    on_case = await fresh.task_made(taskable_type="case", taskable_uuid=fresh.case["uuid"])
    expected = [
        made,
        await shown(fresh.owner, on_case["uuid"]),
        await shown(fresh.owner, fresh.task["uuid"]),
    ]
    owner = Principal(
        0, 0, firm.firm_id, 0, str(uuid.uuid4()), "employee", "owner", True, True,
        "Europe/London", "GBP",
    )  # fmt: skip
    ctx = Ctx(zone("Europe/London"), "GBP", "http://test/")
    ids = [await _task_id(firm, t["uuid"]) for t in expected]
    engine = create_engine(database_url, 1)
    try:
        async with engine.connect() as conn:
            assert await render(conn, owner, ids, ctx) == expected
    finally:
        await engine.dispose()


async def _task_id(firm: Firm, task_uuid: str) -> int:
    async with firm.app.state.engine.connect() as conn:
        query = select(tasks.c.id).where(tasks.c.firm_id == firm.firm_id, tasks.c.uuid == task_uuid)
        return int((await conn.execute(query)).scalar_one())
