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
from advisercrm.case_lookups.description import CASE_STATUSES, CASE_TYPES
from advisercrm.case_lookups.schemas import CaseStatusCreate, CaseTypeCreate
from advisercrm.cases.description import CASES
from advisercrm.cases.schemas import CaseCreate
from advisercrm.circles.description import CIRCLES
from advisercrm.circles.schemas import CircleCreate
from advisercrm.client_statuses.description import CLIENT_STATUSES, ClientStatusCreate
from advisercrm.custom_fields.description import CUSTOM_FIELDS
from advisercrm.custom_fields.schemas import CustomFieldCreate
from advisercrm.firms.service import add_person, create_firm
from advisercrm.goals import service as goals_service
from advisercrm.goals.schemas import GoalCreate
from advisercrm.groups.description import GROUPS
from advisercrm.groups.schemas import GroupCreate
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.render import Ctx, zone
from advisercrm.plans.description import PLANS
from advisercrm.plans.schemas import PlanCreate
from advisercrm.resource import service as resource_service
from advisercrm.task_statuses.description import TASK_STATUSES
from advisercrm.task_statuses.repository import TaskStatusRepository
from advisercrm.tasks import service as tasks_service
from advisercrm.tasks.schemas import TaskCreate

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
TASKS = (
    "Check details",
    "Document the transaction",
    "Send annual review pack",
    "Chase pension transfer",
    "Book review meeting",
    "Update fact find",
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
        await resource_service.create(
            conn,
            principal,
            GROUPS,
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
        await resource_service.create(
            conn,
            principal,
            CIRCLES,
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
    work = await _task_board(conn, principal, ctx, rng, employees, clients, groups)
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
        **work,
    }


async def _task_board(
    conn: AsyncConnection,
    principal: Principal,
    ctx: Ctx,
    rng: random.Random,
    employees: list[str],
    clients: list[dict[str, Any]],
    groups: list[dict[str, Any]],
) -> dict[str, list[str]]:
    """Plans, case statuses and types, client statuses, cases (each with a status, a type
    and a plan), a task custom field and 200 tasks spread over the board."""
    status_ids, _ = await resource_service.page(
        conn,
        principal,
        TASK_STATUSES,
        ListQuery(page=1, per_page=500, sort="position", descending=False),
    )
    loaded = await TaskStatusRepository(conn, principal.firm_id).load(status_ids)
    statuses = [loaded[i] for i in status_ids]
    plans = [
        await resource_service.create(
            conn,
            principal,
            PLANS,
            PlanCreate.model_validate(
                {
                    "name": name,
                    "type": kind,
                    "accounts": [_uuid(clients[10 + i])],
                    "policy_number": f"POL-{rng.randrange(10**6, 10**7)}",
                }
            ),
            ctx,
        )
        for i, (name, kind) in enumerate(
            (
                ("Workplace pension", "pension"),
                ("ISA", "investment"),
                ("Life cover", "protection_policy"),
            )
        )
    ]
    case_statuses = [
        await resource_service.create(
            conn,
            principal,
            CASE_STATUSES,
            CaseStatusCreate.model_validate({"name": name, "is_type_completed": done}),
            ctx,
        )
        for name, done in (("New", False), ("In Progress", False), ("Completed", True))
    ]
    case_types = [
        await resource_service.create(
            conn, principal, CASE_TYPES, CaseTypeCreate.model_validate({"name": name}), ctx
        )
        for name in ("Retirement", "Mortgage", "Estate planning")
    ]
    for name, colour in (("Active", "#4caf50"), ("On Hold", "#ff9800"), ("Lapsed", "#9e9e9e")):
        label = ClientStatusCreate.model_validate({"name": name, "colour": colour})
        await resource_service.create(conn, principal, CLIENT_STATUSES, label, ctx)
    cases = [
        await resource_service.create(
            conn,
            principal,
            CASES,
            CaseCreate.model_validate(
                {
                    "name": name,
                    "participants": [_uuid(clients[i * 2]), _uuid(clients[i * 2 + 1])],
                    "assigned_to_uuids": [employees[i % 2]],
                    "group_uuids": [_uuid(groups[i])],
                    "value": rng.randrange(500_000, 90_000_000),
                    "review_at": f"2027-0{i + 3}-15",
                    "status": _uuid(case_statuses[i]),
                    "type": _uuid(case_types[i]),
                    "plans": [_uuid(plans[i])],
                }
            ),
            ctx,
        )
        for i, name in enumerate(("Retirement planning", "Mortgage review", "Inheritance tax"))
    ]
    await resource_service.create(
        conn,
        principal,
        CUSTOM_FIELDS,
        CustomFieldCreate.model_validate(
            {
                "type": "selection",
                "name": "Favourite Pet",
                "model_type": "task",
                "selection_options": ["Dog", "Cat", "Fish"],
            }
        ),
        ctx,
    )
    taskables = (
        [("client", _uuid(c)) for c in clients]
        + [("case", _uuid(c)) for c in cases]
        + [("plan", _uuid(p)) for p in plans]
    )
    task_uuids: list[str] = []
    for i in range(200):
        kind, target = taskables[i % len(taskables)]
        body: dict[str, Any] = {
            "name": f"{TASKS[i % len(TASKS)]} #{i + 1}",
            "priority": rng.choice(("low", "medium", "high", "highest", None)),
            "due_at": f"2027-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d} 09:00:00"
            if i % 4
            else None,
            "taskable_type": kind,
            "taskable_uuid": target,
            "task_status_uuid": str(statuses[i % len(statuses)]["uuid"]),
            "assigned_to_uuids": [employees[i % 2]] if i % 3 else [],
            "group_uuids": [_uuid(groups[i % len(groups)])] if i % 2 else [],
            "custom_fields": {"favourite_pet": ("Dog", "Cat", "Fish")[i % 3]} if i % 5 == 0 else {},
        }
        if i % 10 == 9:  # every tenth task is a subtask of the one before it
            body["parent_task_uuid"] = task_uuids[-1]
        task = await tasks_service.create(conn, principal, TaskCreate.model_validate(body), ctx)
        task_uuids.append(task["uuid"])
    return {
        "task_status_uuids": [str(s["uuid"]) for s in statuses],
        "case_uuids": [_uuid(c) for c in cases],
        "plan_uuids": [_uuid(p) for p in plans],
        "task_uuids": task_uuids,
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
