"""GET /api/v1/task: the paginated body, every sort in both directions, the includes,
and the 400/422 answers to list parameters it does not accept.

Sort data, in creation order (s3 and then s1 are updated after all exist):
  s1 "Beta"   medium   due 2025-05-01 10:00  Not Started (position 1)
  s2 "Alpha"  -        no due                In Progress (1)
  s3 "Beta"   medium   due 2025-05-01 10:00  In Progress (2)
  s4 "Gamma"  highest  due 2025-01-01        Not Started (2)
  s5 "Alpha"  low      due 2025-12-31        Completed (1)
A descending sort is the exact reverse of the ascending one, except that tasks without a
value come last either way.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from tests.helpers import Firm, new_firm
from tests.tasks.support import TASK_KEYS, TASKS, World, listed, one_error, task_path

BASE = "http://test/api/v1/task"
FILTERS = (
    "name, taskable_type, taskable_uuid, client_uuid, priority, assigned_to_uuids, "
    "circle_uuids, status_uuid, due_before, due_after, has_due_date, open_tasks, "
    "completed_status, archived_status, not_started_status, subtask_visibility, "
    "show_child_tasks, group_uuids"
)
SORTS = "created_at, updated_at, name, priority, due_at, position, completed_last"
INCLUDES = (
    "parent_task, subtasks, author, completed_by, custom_fields, related_tasks, workflow_task"
)
ONE_OF = "The filter.{} filter must be one of: "
PER_PAGE = "The per page field must be an integer between 1 and 500."


def refused(kind: str, names: str, allowed: str) -> str:
    verb = "is" if kind == "sort" else "are"
    return f"Requested {kind}(s) `{names}` {verb} not allowed. Allowed {kind}(s) are `{allowed}`."


@dataclass
class Data:
    firm: Firm
    tasks: dict[str, str]


@pytest.fixture(scope="module")
async def data(app: FastAPI, client: httpx.AsyncClient) -> Data:
    firm = await new_firm(app, client)
    taskable = (await firm.client_account())["uuid"]
    ns, ip, done = [s["uuid"] for s in (await firm.owner.get("/api/v1/task-status")).json()["data"]]
    specs = [
        ("Beta", "medium", "2025-05-01 10:00:00", ns),
        ("Alpha", None, None, ip),
        ("Beta", "medium", "2025-05-01 10:00:00", ip),
        ("Gamma", "highest", "2025-01-01", ns),
        ("Alpha", "low", "2025-12-31", done),
    ]
    tasks = {}
    for i, (name, priority, due, status) in enumerate(specs, start=1):
        body = {"name": name, "priority": priority, "due_at": due, "task_status_uuid": status,
                "taskable_type": "client", "taskable_uuid": taskable}  # fmt: skip
        tasks[f"s{i}"] = (await firm.owner.created(TASKS, body))["uuid"]
    for key in ("s3", "s1"):
        response = await firm.owner.put(task_path(tasks[key]), {"description": "touched"})
        assert response.status_code == 200, response.text
    return Data(firm, tasks)


async def ordered(data: Data, sort: str | None, **params: str) -> list[str]:
    if sort is not None:
        params["sort"] = sort
    keys = {uuid: key for key, uuid in data.tasks.items()}
    return [keys[u] for u in await listed(data.firm.owner, **params)]


@pytest.mark.parametrize(
    ("field", "ascending", "descending"),
    [
        ("created_at", "s1 s2 s3 s4 s5", "s5 s4 s3 s2 s1"),
        ("updated_at", "s2 s4 s5 s3 s1", "s1 s3 s5 s4 s2"),
        ("name", "s2 s5 s1 s3 s4", "s4 s3 s1 s5 s2"),
        ("priority", "s5 s1 s3 s4 s2", "s4 s3 s1 s5 s2"),
        ("due_at", "s4 s1 s3 s5 s2", "s5 s3 s1 s4 s2"),
        ("position", "s1 s2 s5 s3 s4", "s4 s3 s5 s2 s1"),
    ],
)
async def test_sort_both_directions(
    data: Data, field: str, ascending: str, descending: str
) -> None:
    assert await ordered(data, field) == ascending.split()
    assert await ordered(data, f"-{field}") == descending.split()


async def test_completed_last_puts_open_tasks_first(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    firm = await new_firm(app, client)
    taskable = (await firm.client_account())["uuid"]
    status = (await firm.owner.get("/api/v1/task-status")).json()["data"][0]["uuid"]
    body = {"taskable_type": "client", "taskable_uuid": taskable, "task_status_uuid": status}
    made = [(await firm.owner.created(TASKS, body | {"name": n}))["uuid"] for n in "abc"]
    done = await firm.owner.request("PATCH", task_path(made[0]) + "/complete")
    assert done.status_code == 200, done.text
    assert await listed(firm.owner, sort="completed_last") == [made[1], made[2], made[0]]
    assert await listed(firm.owner, sort="-completed_last") == [made[0], made[2], made[1]]


async def test_default_sort_is_created_at_ascending(data: Data) -> None:
    assert await ordered(data, None) == ["s1", "s2", "s3", "s4", "s5"]


@pytest.mark.parametrize("sort", ["name", "-name", "priority", "-due_at", "position"])
async def test_pages_of_a_sort_with_ties_are_stable(data: Data, sort: str) -> None:
    whole = await ordered(data, sort)
    paged: list[str] = []
    for page in ("1", "2", "3"):
        paged += await ordered(data, sort, per_page="2", page=page)
    assert paged == whole


async def test_first_page_with_the_default_size(fresh: World) -> None:
    made = [fresh.task["uuid"]] + [(await fresh.task_made(name=f"T{i}"))["uuid"] for i in range(16)]
    response = await fresh.owner.get(TASKS)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "links", "meta"}
    assert [t["uuid"] for t in body["data"]] == made[:15]
    assert all(set(t) == TASK_KEYS for t in body["data"])
    assert body["links"] == {
        "first": f"{BASE}?page=1", "last": f"{BASE}?page=2", "prev": None, "next": f"{BASE}?page=2",
    }  # fmt: skip
    assert body["meta"] == {
        "current_page": 1, "from": 1, "last_page": 2, "path": BASE, "per_page": 15, "to": 15,
        "total": 17, "links": [
            {"url": None, "label": "&laquo; Previous", "active": False},
            {"url": f"{BASE}?page=1", "label": "1", "active": True},
            {"url": f"{BASE}?page=2", "label": "2", "active": False},
            {"url": f"{BASE}?page=2", "label": "Next &raquo;", "active": False},
        ],
    }  # fmt: skip


async def test_a_later_page_keeps_the_other_parameters_in_links(data: Data) -> None:
    params = {"per_page": "2", "sort": "-name", "filter[priority]": "medium,low", "page": "2"}
    body = (await data.firm.owner.get(TASKS, params=params)).json()
    assert [t["uuid"] for t in body["data"]] == [data.tasks["s5"]]
    query = "per_page=2&sort=-name&filter%5Bpriority%5D=medium%2Clow"
    assert body["links"] == {
        "first": f"{BASE}?{query}&page=1", "last": f"{BASE}?{query}&page=2",
        "prev": f"{BASE}?{query}&page=1", "next": None,
    }  # fmt: skip
    assert body["meta"] == {
        "current_page": 2, "from": 3, "last_page": 2, "path": BASE, "per_page": 2, "to": 3,
        "total": 3, "links": [
            {"url": f"{BASE}?{query}&page=1", "label": "&laquo; Previous", "active": False},
            {"url": f"{BASE}?{query}&page=1", "label": "1", "active": False},
            {"url": f"{BASE}?{query}&page=2", "label": "2", "active": True},
            {"url": None, "label": "Next &raquo;", "active": False},
        ],
    }  # fmt: skip


async def test_a_page_beyond_the_last_is_empty(data: Data) -> None:
    body = (await data.firm.owner.get(TASKS, params={"page": "9"})).json()
    assert body["data"] == [] and body["meta"]["total"] == 5
    assert (body["meta"]["from"], body["meta"]["to"], body["links"]["next"]) == (None, None, None)


async def test_includes_on_the_list(fresh: World) -> None:
    second = await fresh.task_made(name="Second child", parent_task_uuid=fresh.task["uuid"])
    grandchild = await fresh.task_made(name="Grandchild", parent_task_uuid=fresh.subtask["uuid"])
    owner, parent_uuid = fresh.owner, fresh.task["uuid"]
    plain = {
        t["uuid"]: t
        for t in (await owner.get(TASKS, params={"filter[subtask_visibility]": "include"})).json()[
            "data"
        ]
    }
    body = (await owner.get(TASKS, params={"include": "subtasks"})).json()
    [parent] = body["data"]
    assert set(parent) == TASK_KEYS | {"subtasks"}
    assert parent["subtasks"] == [plain[fresh.subtask["uuid"]], plain[second["uuid"]]]
    params = {"include": "parent_task, subtasks", "filter[subtask_visibility]": "only"}
    body = (await owner.get(TASKS, params=params)).json()
    by_uuid = {t["uuid"]: t for t in body["data"]}
    assert set(by_uuid) == {fresh.subtask["uuid"], second["uuid"], grandchild["uuid"]}
    assert by_uuid[fresh.subtask["uuid"]]["parent_task"] == plain[parent_uuid]
    assert by_uuid[fresh.subtask["uuid"]]["subtasks"] == [plain[grandchild["uuid"]]]
    assert by_uuid[grandchild["uuid"]]["parent_task"] == plain[fresh.subtask["uuid"]]
    assert by_uuid[second["uuid"]]["subtasks"] == []
    body = (await owner.get(TASKS, params={"include": "parent_task"})).json()
    assert body["data"][0]["parent_task"] is None and "subtasks" not in body["data"][0]


async def test_includes_on_show(fresh: World) -> None:
    owner = fresh.owner
    plain_parent = (await owner.get(task_path(fresh.task["uuid"]))).json()
    plain_child = (await owner.get(task_path(fresh.subtask["uuid"]))).json()
    child = await owner.get(
        task_path(fresh.subtask["uuid"]), params={"include": "parent_task,subtasks"}
    )
    assert child.status_code == 200
    assert child.json() == {**plain_child, "parent_task": plain_parent, "subtasks": []}
    parent = await owner.get(task_path(fresh.task["uuid"]), params={"include": "subtasks"})
    assert parent.json() == {**plain_parent, "subtasks": [plain_child]}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"filter[nope]": "1"}, refused("filter", "nope", FILTERS)),
        ({"filter[uuid]": "1", "filter[name]": "a"}, refused("filter", "uuid", FILTERS)),
        ({"sort": "colour"}, refused("sort", "colour", SORTS)),
        ({"sort": "-status"}, refused("sort", "status", SORTS)),
        ({"include": "assignees"}, refused("include", "assignees", INCLUDES)),
        ({"include": "subtasks,taskable,status"}, refused("include", "status, taskable", INCLUDES)),
    ],
)
async def test_unknown_names_are_400(world: World, params: dict[str, str], message: str) -> None:
    response = await world.owner.get(TASKS, params=params)
    assert response.status_code == 400
    assert response.json() == {"message": message}


async def test_an_unknown_include_on_show_is_400(world: World) -> None:
    path = task_path(world.task["uuid"])
    response = await world.owner.get(path, params={"include": "assignees"})
    assert response.status_code == 400
    assert response.json() == {"message": refused("include", "assignees", INCLUDES)}


async def test_the_documented_includes_of_parts_always_shown_change_nothing(
    world: World,
) -> None:
    """Plannr documents author, completed_by and custom_fields as includes: the resource
    always has them. It documents related_tasks and workflow_task too: with no task
    relations or workflows here, they are empty."""
    path = task_path(world.task["uuid"])
    plain = (await world.owner.get(path)).json()
    shown = await world.owner.get(path, params={"include": "author,completed_by,custom_fields"})
    assert (shown.status_code, shown.json()) == (200, plain)
    empty = await world.owner.get(path, params={"include": "related_tasks,workflow_task"})
    assert empty.json() == {**plain, "related_tasks": [], "workflow_task": None}
    listed = await world.owner.get(TASKS, params={"include": "author,related_tasks"})
    assert listed.json()["data"][0]["related_tasks"] == []


async def test_show_ignores_list_parameters(world: World) -> None:
    plain = (await world.owner.get(task_path(world.task["uuid"]))).json()
    params = {"page": "0", "per_page": "x", "sort": "nope", "filter[nope]": "1"}
    response = await world.owner.get(task_path(world.task["uuid"]), params=params)
    assert response.status_code == 200, response.text
    assert response.json() == plain


UUIDS = "The filter.{} filter must be a comma-separated list of UUIDs."
BOOL = "The filter.{} filter must be true or false."
DATE = "The filter.{} filter must match the format Y-m-d."


@pytest.mark.parametrize(
    ("name", "value", "template"),
    [
        ("taskable_type", "goal", ONE_OF + "client, case, plan."),
        ("taskable_type", "", ONE_OF + "client, case, plan."),
        ("priority", "urgent", ONE_OF + "low, medium, high, highest."),
        ("priority", "low,urgent", ONE_OF + "low, medium, high, highest."),
        ("subtask_visibility", "all", ONE_OF + "include, exclude, only."),
        ("taskable_uuid", "nope", UUIDS), ("client_uuid", "1", UUIDS),
        ("assigned_to_uuids", "", UUIDS), ("circle_uuids", "x,y", UUIDS),
        ("status_uuid", "Not Started", UUIDS), ("group_uuids", "{}", UUIDS),
        ("due_before", "2024-13-01", DATE), ("due_before", "01/06/2024", DATE),
        ("due_after", "2024-06-01T00:00:00", DATE), ("due_after", "", DATE),
        ("has_due_date", "yes", BOOL), ("open_tasks", "", BOOL), ("completed_status", "2", BOOL),
        ("archived_status", "TRUE", BOOL), ("not_started_status", "null", BOOL),
        ("name", "a\u0000b", "The filter.{} filter must be valid text without NUL characters."),
    ],
)  # fmt: skip
async def test_bad_filter_values_are_422(
    world: World, name: str, value: str, template: str
) -> None:
    response = await world.owner.get(TASKS, params={f"filter[{name}]": value})
    assert response.status_code == 422
    key = f"filter.{name}"
    assert response.json() == one_error(key, template.format(name.replace("_", " ")))


@pytest.mark.parametrize(
    ("params", "key", "sentence"),
    [
        ({"per_page": "501"}, "per_page", PER_PAGE),
        ({"per_page": "0"}, "per_page", PER_PAGE),
        ({"page": "x"}, "page", "The page field must be an integer between 1 and 1000000000."),
    ],
)  # fmt: skip
async def test_bad_page_parameters_are_422(
    world: World, params: dict[str, str], key: str, sentence: str
) -> None:
    response = await world.owner.get(TASKS, params=params)
    assert response.status_code == 422
    assert response.json() == one_error(key, sentence)
