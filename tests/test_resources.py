"""One set of cases run against every resource with list, show, create, update and (but
where the API documents none) delete:
the life of a record, the answers for a path that names nothing, another firm's records,
callers without write or delete permission, a body that says nothing, and every sort the
list allows (read from the list's own answer to a sort it does not allow). A resource's
own suite tests only what is particular to it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from advisercrm.accounts.description import ACCOUNTS, CLIENTS
from advisercrm.auth.principal import Principal
from advisercrm.cases.description import CASES
from advisercrm.circles.description import CIRCLES
from advisercrm.goals.description import GOALS
from advisercrm.kit.listing import ListQuery
from advisercrm.kit.render import Ctx, zone
from advisercrm.plans.description import PLANS
from advisercrm.resource import service
from advisercrm.resource.description import Resource
from tests.helpers import Actor, Firm

NOT_FOUND = {"message": "Not found."}
FORBIDDEN = {"message": "This action is unauthorized."}
NOT_ALLOWED = {"message": "Method not allowed."}


@dataclass(frozen=True)
class Described:
    path: str
    # A body that creates a record in the firm, and a change an update makes to it.
    body: Callable[[Firm], Awaitable[dict[str, Any]]]
    change: dict[str, Any]
    # How a record is made, when its POST answers other than 201 with the record.
    make: Callable[[Firm], Awaitable[dict[str, Any]]] | None = None
    # Whether it has a DELETE route (else DELETE answers 405 and removes nothing).
    deletes: bool = True

    @property
    def methods(self) -> tuple[str, ...]:
        """The methods its record's path answers."""
        return ("GET", "PUT", "DELETE") if self.deletes else ("GET", "PUT")


async def _client(firm: Firm) -> str:
    return str((await firm.client_account())["uuid"])


async def _case(firm: Firm) -> dict[str, Any]:
    return {"name": "Case", "participants": [await _client(firm)]}


async def _plan(firm: Firm) -> dict[str, Any]:
    return {"name": "Plan", "type": "annuity", "accounts": [await _client(firm)]}


async def _circle(firm: Firm) -> dict[str, Any]:
    return {"name": "Household", "account_uuids": [await _client(firm), await _client(firm)]}


async def _group(firm: Firm) -> dict[str, Any]:
    return {"name": f"Group {uuid.uuid4().hex[:8]}", "participants": [await _client(firm)]}


async def _status(firm: Firm) -> dict[str, Any]:
    return {"name": f"Status {uuid.uuid4().hex[:8]}"}


async def _field(firm: Firm) -> dict[str, Any]:
    return {"name": f"Field {uuid.uuid4().hex[:8]}", "type": "string", "model_type": "task"}


async def _goal(firm: Firm) -> dict[str, Any]:
    return {"name": "Goal", "account_uuids": [await _client(firm)]}


async def _task(firm: Firm) -> dict[str, Any]:
    statuses = (await firm.owner.get("/api/v1/task-status")).json()["data"]
    return {
        "name": "Task",
        "taskable_type": "client",
        "taskable_uuid": await _client(firm),
        "task_status_uuid": statuses[0]["uuid"],
    }


async def _subscription(firm: Firm) -> dict[str, Any]:
    return {"url": "https://93.184.215.14/hooks", "events": ["task.created"]}


async def _person(firm: Firm) -> dict[str, Any]:
    return {"first_name": "Ada", "last_name": "Client", "email": f"{uuid.uuid4().hex}@example.com"}


async def _account(firm: Firm) -> dict[str, Any]:
    return {"type": "client", "role": "individual", **await _person(firm)}


RESOURCES = {
    "cases": Described("/api/v1/cases", _case, {"name": "Renamed"}),
    "plans": Described("/api/v1/plans", _plan, {"name": "Renamed"}),
    "circles": Described("/api/v1/circles", _circle, {"name": "Renamed"}),
    "groups": Described("/api/v1/group", _group, {"name": "Renamed group"}),
    "task statuses": Described("/api/v1/task-status", _status, {"name": "Renamed status"}),
    "case statuses": Described("/api/v1/cases-status", _status, {"name": "Renamed status"}),
    "case types": Described("/api/v1/cases-type", _status, {"name": "Renamed type"}),
    "client statuses": Described("/api/v1/client-status", _status, {"name": "Renamed status"}),
    "life stages": Described("/api/v1/life-stage", _status, {"name": "Renamed"}, deletes=False),
    "custom fields": Described("/api/v1/custom-field", _field, {"name": "Renamed field"}),
    "goals": Described("/api/v2/goals", _goal, {"name": "Renamed"}),
    "tasks": Described("/api/v1/task", _task, {"name": "Renamed"}),
    "clients": Described("/api/v1/client", _person, {"first_name": "Renamed"}),
    "accounts": Described("/api/v1/account", _account, {"last_name": "Renamed"}),
    "webhook subscriptions": Described(
        "/api/v2/webhook-subscriptions", _subscription, {"events": ["goal.deleted"]}
    ),
}
params = pytest.mark.parametrize("described", list(RESOURCES.values()), ids=list(RESOURCES))


async def _tag(firm: Firm) -> dict[str, Any]:
    response = await firm.owner.post(
        "/api/v1/tag", json={"mode": "create", "tags": [f"Tag {uuid.uuid4().hex[:8]}"]}
    )
    assert response.status_code == 200, response.text
    made: dict[str, Any] = response.json()["data"][0]
    return made


# Resources with a list but no show, update or delete: only the list cases run on them.
LIST_ONLY = {"tags": Described("/api/v1/tag", _tag, {}, make=_tag)}
LISTS = RESOURCES | LIST_ONLY
list_params = pytest.mark.parametrize("described", list(LISTS.values()), ids=list(LISTS))
# The resources built from a description, with their API's name above.
DESCRIPTIONS = {
    "cases": CASES,
    "plans": PLANS,
    "clients": CLIENTS,
    "accounts": ACCOUNTS,
    "goals": GOALS,
}


async def _made(firm: Firm, described: Described) -> dict[str, Any]:
    if described.make is not None:
        return await described.make(firm)
    return await firm.owner.created(described.path, await described.body(firm))


async def _total(actor: Actor, path: str) -> int:
    response = await actor.get(path)
    assert response.status_code == 200, response.text
    return int(response.json()["meta"]["total"])


@params
async def test_the_life_of_a_record(firm: Firm, described: Described) -> None:
    owner, before = firm.owner, await _total(firm.owner, described.path)
    made = await _made(firm, described)
    one = f"{described.path}/{made['uuid']}"
    assert (await owner.get(one)).json() == made
    listed = (await owner.get(described.path, params={"per_page": 500})).json()
    assert made in listed["data"]
    assert listed["meta"]["total"] == before + 1

    changed = await owner.put(one, json=described.change)
    assert changed.status_code == 200, changed.text
    assert all(changed.json()[name] == value for name, value in described.change.items())
    assert (await owner.get(one)).json() == changed.json()

    deleted = await owner.delete(one)
    if not described.deletes:
        assert (deleted.status_code, deleted.json()) == (405, NOT_ALLOWED)
        assert await _total(owner, described.path) == before + 1
        return
    assert (deleted.status_code, deleted.content) == (204, b"")
    for method in described.methods:
        gone = await owner.request(method, one, json=described.change)
        assert (gone.status_code, gone.json()) == (404, NOT_FOUND), method
    assert await _total(owner, described.path) == before


@params
async def test_a_path_that_names_nothing_is_not_found(firm: Firm, described: Described) -> None:
    for name in ("not-a-uuid", str(uuid.uuid4()), "0", "%20"):
        for method in described.methods:
            response = await firm.owner.request(
                method, f"{described.path}/{name}", json=described.change
            )
            assert (response.status_code, response.json()) == (404, NOT_FOUND), (method, name)


@params
async def test_another_firms_record_does_not_exist_here(
    firm: Firm, other_firm: Firm, described: Described
) -> None:
    made = await _made(firm, described)
    one = f"{described.path}/{made['uuid']}"
    stranger = other_firm.owner
    listed = (await stranger.get(described.path, params={"per_page": 500})).json()["data"]
    assert made["uuid"] not in [item["uuid"] for item in listed]
    for method in described.methods:
        response = await stranger.request(method, one, json=described.change)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), method
    assert (await firm.owner.get(one)).json() == made


@params
async def test_callers_without_permission_change_nothing(firm: Firm, described: Described) -> None:
    made = await _made(firm, described)
    one = f"{described.path}/{made['uuid']}"
    reader = await firm.actor(role="owner", write=False, delete=False)
    before = await _total(firm.owner, described.path)
    attempts = [
        await reader.post(described.path, json=await described.body(firm)),
        await reader.put(one, json=described.change),
        *([await reader.delete(one)] if described.deletes else []),
    ]
    for response in attempts:
        assert (response.status_code, response.json()) == (403, FORBIDDEN), response.request
    assert await _total(firm.owner, described.path) == before + 0
    assert (await firm.owner.get(one)).json() == made


@params
async def test_an_empty_body_is_refused_and_creates_nothing(
    firm: Firm, described: Described
) -> None:
    before = await _total(firm.owner, described.path)
    response = await firm.owner.post(described.path, json={})
    assert response.status_code == 422, response.text
    body = response.json()
    assert set(body) == {"message", "errors"}
    # Laravel's required, or required_without (a circle's account_uuids or accounts).
    assert body["errors"] and all(
        message.endswith("field is required.") or " field is required when " in message
        for messages in body["errors"].values()
        for message in messages
    ), body
    assert await _total(firm.owner, described.path) == before


ALLOWED = re.compile(r"Allowed sort\(s\) are `([^`]*)`")


@list_params
async def test_every_allowed_sort_answers_in_order_both_ways(
    firm: Firm, described: Described
) -> None:
    for _ in range(3):
        await _made(firm, described)
    refused = await firm.owner.get(described.path, params={"sort": "no_such_sort"})
    assert refused.status_code == 400, refused.text
    found = ALLOWED.search(refused.json()["message"])
    assert found, refused.text
    sorts = found.group(1).split(", ")
    assert sorts
    for name in sorts:
        up = await firm.owner.get(described.path, params={"sort": name, "per_page": 500})
        down = await firm.owner.get(described.path, params={"sort": f"-{name}", "per_page": 500})
        assert (up.status_code, down.status_code) == (200, 200), name
        assert len(up.json()["data"]) == len(down.json()["data"]) == up.json()["meta"]["total"]
        ids_up = [item["uuid"] for item in up.json()["data"]]
        assert sorted(ids_up) == sorted(item["uuid"] for item in down.json()["data"]), name


@list_params
async def test_pages_partition_the_list(firm: Firm, described: Described) -> None:
    for _ in range(3):
        await _made(firm, described)
    everything = (await firm.owner.get(described.path, params={"per_page": 500})).json()
    total = everything["meta"]["total"]
    seen: list[str] = []
    for page in range(1, total + 1):
        response = await firm.owner.get(described.path, params={"per_page": 1, "page": page})
        body = response.json()
        assert (body["meta"]["total"], body["meta"]["last_page"]) == (total, total)
        seen += [item["uuid"] for item in body["data"]]
    assert seen == [item["uuid"] for item in everything["data"]]


def _viewer(firm: Firm, role: str) -> Principal:
    return Principal(0, 0, firm.firm_id, 0, "", "employee", role, True, True, "UTC", "GBP")


@pytest.mark.parametrize("name", list(DESCRIPTIONS))
async def test_resolve_and_render_as_other_resources_use_them(firm: Firm, name: str) -> None:
    """What other resources call (a task's taskable, a write's references): rows by UUID
    with whether the viewer may see them, and rendering equal to the resource's own GET."""
    resource: Resource = DESCRIPTIONS[name]
    made = await _made(firm, RESOURCES[name])
    ctx = Ctx(zone("Europe/London"), "GBP", "http://test/")
    wanted = [uuid.UUID(made["uuid"]), uuid.uuid4()]
    async with firm.app.state.engine.connect() as conn:
        found = await service.resolve(conn, _viewer(firm, "admin"), resource, wanted)
        assert list(found) == [wanted[0]]
        row = found[wanted[0]]
        columns = {"id", "uuid", "visible", *resource.resolved}
        assert (set(row), row["visible"]) == (columns, True)
        as_member = await service.resolve(conn, _viewer(firm, "member"), resource, wanted)
        assert as_member[wanted[0]]["visible"] is False
        rendered = await service.render(conn, _viewer(firm, "owner"), resource, [row["id"], 0], ctx)
    assert rendered == [made]


async def test_a_scoped_resource_holds_only_its_kind_of_row(firm: Firm) -> None:
    """Two resources over one table: the scoped one's path finds, and its lists (filtered
    or not) count, only the rows its scope keeps; the other's hold them all."""
    staff = await firm.owner.created(
        "/api/v1/account", await _account(firm) | {"type": "employee", "role": "member"}
    )
    client = await firm.owner.created("/api/v1/client", await _person(firm))
    named = [uuid.UUID(staff["uuid"]), uuid.UUID(client["uuid"])]
    owner = _viewer(firm, "owner")
    async with firm.app.state.engine.connect() as conn:
        for resource, kept in ((CLIENTS, [client]), (ACCOUNTS, [staff, client])):
            found = [await service.find(conn, owner, resource, u) for u in named]
            assert [str(row["uuid"]) for row in found if row] == [r["uuid"] for r in kept]
            for filters in ({}, {"uuid": named}):
                query = ListQuery(1, 500, "created_at", False, filters)
                ids, total = await service.page(conn, owner, resource, query)
                rendered = await service.render(
                    conn, owner, resource, ids, Ctx(zone("UTC"), "GBP", "http://test/")
                )
                listed = {item["uuid"] for item in rendered}
                assert {staff["uuid"], client["uuid"]} & listed == {r["uuid"] for r in kept}
                assert total == len(ids)


# The resources served by `crud_router` that load relations when asked.
LOADED = {"cases": CASES, "plans": PLANS, "circles": CIRCLES}


@pytest.mark.parametrize("name", list(LOADED))
async def test_a_show_includes_what_its_list_includes(firm: Firm, name: str) -> None:
    """`include` on a show adds the relations the resource loads when asked, as its list
    shows them (names the show cannot add are ignored, as its other parameters are)."""
    made = await _made(firm, RESOURCES[name])
    path = f"{RESOURCES[name].path}/{made['uuid']}"
    for include in LOADED[name].loaded_includes:
        params = {"include": include, "filter[uuid]": made["uuid"]}
        [listed] = (await firm.owner.get(RESOURCES[name].path, params=params)).json()["data"]
        assert include in listed
        shown = await firm.owner.get(path, params={"include": f"{include},zz_unknown"})
        assert (shown.status_code, shown.json()) == (200, listed)
    assert (await firm.owner.get(path)).json() == made
