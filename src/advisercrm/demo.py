"""`advisercrm demo`: a fresh firm with staff, clients, households, groups and goals.

Records are created through the same services the API uses, so demo data obeys every
rule a client of the API would meet.
"""

from __future__ import annotations

import random
import secrets
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from advisercrm.accounts import service as accounts_service
from advisercrm.accounts.schemas import AccountCreate
from advisercrm.auth.principal import Principal
from advisercrm.circles import service as circles_service
from advisercrm.circles.schemas import CircleCreate
from advisercrm.firms.service import add_person, create_firm
from advisercrm.goals import service as goals_service
from advisercrm.goals.schemas import GoalCreate
from advisercrm.groups import service as groups_service
from advisercrm.groups.schemas import GroupCreate
from advisercrm.kit.render import Ctx, zone

FIRST = (
    "Olivia",
    "George",
    "Amelia",
    "Harry",
    "Isla",
    "Noah",
    "Ava",
    "Oscar",
    "Mia",
    "Leo",
    "Freya",
    "Arthur",
    "Lily",
    "Theo",
    "Grace",
    "Jack",
    "Ella",
    "Alfie",
    "Rosie",
    "Henry",
)
LAST = (
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Evans",
    "Thomas",
    "Roberts",
    "Walker",
    "Wright",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
)
GOALS = (
    ("Reduced Mileage", "Reduce the amount of gas spent yearly."),
    ("Retire at 60", "Build a pension pot that pays for an early retirement."),
    ("University fund", "Save for the children's tuition."),
    ("Pay off the mortgage", "Clear the mortgage before the fixed term ends."),
    ("Emergency fund", "Six months of spending in an instant-access account."),
)


def _uuid(item: dict[str, Any]) -> str:
    return str(item["uuid"])


async def create_demo(
    conn: AsyncConnection, key: bytes, base_url: str = "http://127.0.0.1:8000/"
) -> dict[str, Any]:
    rng = random.Random()  # noqa: S311 - demo names, not secrets
    tag = secrets.token_hex(4)
    email, password = f"owner-{tag}@demo.advisercrm.test", secrets.token_urlsafe(12)
    firm = await create_firm(
        conn, key, f"Demo Wealth {tag}", email, password, owner_name=("Dana", "Owner")
    )
    firm_id = firm["firm_id"]
    principal = _owner(firm_id, firm["account_id"])
    ctx = Ctx(zone("Europe/London"), "GBP", base_url)

    async def person(body: dict[str, Any]) -> dict[str, Any]:
        return await accounts_service.create(
            conn, principal, AccountCreate.model_validate(body), ctx
        )

    employees = []
    for i, (first, last) in enumerate((("Priya", "Adviser"), ("Sam", "Paraplanner"))):
        member = await add_person(
            conn,
            firm_id,
            {"type": "employee", "role": "member", "first_name": first, "last_name": last},
            f"{first.lower()}-{tag}@demo.advisercrm.test",
            password,
            write=True,
            delete=i == 0,
        )
        employees.append(member.account_uuid)
    clients = []
    for i in range(20):
        clients.append(
            await person(
                {
                    "type": "client",
                    "role": "individual",
                    "first_name": FIRST[i],
                    "last_name": rng.choice(LAST),
                    "email": f"client{i + 1}-{tag}@example.com",
                    "assigned_adviser_uuid": employees[0],
                    "assigned_paraplanner_uuid": employees[1],
                }
            )
        )
    joints = [
        await person(
            {
                "type": "client",
                "role": "joint",
                "name": f"{clients[a]['name']} & {clients[b]['name']}",
                "owner_uuids": [_uuid(clients[a]), _uuid(clients[b])],
            }
        )
        for a, b in ((0, 1), (2, 3))
    ]
    groups = [
        await groups_service.create(
            conn,
            principal,
            GroupCreate.model_validate(
                {
                    "name": name,
                    "participants": [
                        employees[i % 2],
                        *(_uuid(c) for c in clients[i * 5 : i * 5 + 5]),
                    ],
                }
            ),
            ctx,
        )
        for i, name in enumerate(("North Team", "South Team", "High Net Worth"))
    ]
    circles = [
        await circles_service.create(
            conn,
            principal,
            CircleCreate.model_validate(
                {
                    "name": f"{clients[i * 4]['last_name']} Household",
                    "account_uuids": [_uuid(c) for c in clients[i * 4 : i * 4 + 4]],
                    "group_uuids": [_uuid(groups[i % 3])],
                }
            ),
            ctx,
        )
        for i in range(5)
    ]
    for i in range(10):
        name, description = GOALS[i % len(GOALS)]
        owners = [clients[i]] if i % 3 else [clients[i], clients[i + 1]]
        await goals_service.create(
            conn,
            principal,
            GoalCreate.model_validate(
                {
                    "account_uuids": [_uuid(c) for c in owners],
                    "name": name,
                    "description": description,
                    "target_amount": rng.randrange(100_000, 50_000_000),
                    "progress": rng.randrange(0, 101),
                    "priority": rng.randrange(1, 6),
                    "complete_goal_by": f"20{rng.randrange(27, 40)}-04-28",
                }
            ),
            ctx,
        )
    return {
        "firm_uuid": firm["firm_uuid"],
        "account_uuid": firm["account_uuid"],
        "token": firm["token"],
        "owner_email": email,
        "owner_password": password,
        "employee_uuids": employees,
        "client_uuids": [_uuid(c) for c in clients],
        "joint_client_uuids": [_uuid(j) for j in joints],
        "circle_uuids": [_uuid(c) for c in circles],
        "group_uuids": [_uuid(g) for g in groups],
    }


def _owner(firm_id: int, account_id: int) -> Principal:
    """The firm owner, acting with every permission, as the demo's author."""
    return Principal(
        user_id=0,
        token_id=0,
        firm_id=firm_id,
        account_id=account_id,
        account_uuid="",
        type="employee",
        role="owner",
        can_write=True,
        can_delete=True,
        timezone="Europe/London",
        currency="GBP",
    )
