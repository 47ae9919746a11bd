"""GET /api/v2/goals: the paginated body, page sizes, and the 400/422 answers to list
parameters it does not accept."""

from __future__ import annotations

import pytest

from tests.goals.support import GOAL_KEYS, GOALS, invalid, one_error
from tests.helpers import Firm

BASE = "http://test/api/v2/goals"
FILTERS = (
    "uuid, account_uuids, circle_uuids, name, priority, "
    "complete_goal_by_before, complete_goal_by_after"
)
SORTS = "created_at, updated_at, name, progress, complete_goal_by, priority"


async def _goals(firm: Firm, count: int) -> list[str]:
    owner = (await firm.client_account())["uuid"]
    return [(await firm.goal([owner]))["uuid"] for _ in range(count)]


async def test_links_keep_the_other_parameters_in_their_order(firm: Firm) -> None:
    """Every link repeats the request's other parameters, encoded and in order, and
    names its own page last."""
    owner = (await firm.client_account())["uuid"]
    for _ in range(3):
        await firm.goal([owner], name="Tom & Jo's plan")
    query = "filter%5Bname%5D=Tom+%26+Jo%27s&page=2&per_page=1&sort=-name&sort=name"
    response = await firm.owner.get(f"{GOALS}?{query}")
    assert response.status_code == 200, response.text
    kept = f"{BASE}?filter%5Bname%5D=Tom+%26+Jo%27s&per_page=1&sort=-name&sort=name&page="
    body = response.json()
    assert body["links"] == {
        "first": f"{kept}1",
        "last": f"{kept}3",
        "prev": f"{kept}1",
        "next": f"{kept}3",
    }
    assert [link["url"] for link in body["meta"]["links"]] == [
        f"{kept}{page}" for page in (1, 1, 2, 3, 3)
    ]


async def test_first_page_with_the_default_size(firm: Firm) -> None:
    made = await _goals(firm, 17)
    response = await firm.owner.get(GOALS)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"data", "links", "meta"}
    assert [g["uuid"] for g in body["data"]] == made[:15]
    assert all(set(g) == GOAL_KEYS for g in body["data"])
    assert body["links"] == {
        "first": f"{BASE}?page=1",
        "last": f"{BASE}?page=2",
        "prev": None,
        "next": f"{BASE}?page=2",
    }
    assert body["meta"] == {
        "current_page": 1,
        "from": 1,
        "last_page": 2,
        "links": [
            {"url": None, "label": "&laquo; Previous", "active": False},
            {"url": f"{BASE}?page=1", "label": "1", "active": True},
            {"url": f"{BASE}?page=2", "label": "2", "active": False},
            {"url": f"{BASE}?page=2", "label": "Next &raquo;", "active": False},
        ],
        "path": BASE,
        "per_page": 15,
        "to": 15,
        "total": 17,
    }


async def test_last_page_keeps_the_other_parameters_in_links(firm: Firm) -> None:
    made = await _goals(firm, 7)
    response = await firm.owner.get(
        GOALS, params={"per_page": "3", "sort": "-created_at", "page": "3"}
    )
    body = response.json()
    assert [g["uuid"] for g in body["data"]] == made[::-1][6:]
    query = "per_page=3&sort=-created_at"
    assert body["links"] == {
        "first": f"{BASE}?{query}&page=1",
        "last": f"{BASE}?{query}&page=3",
        "prev": f"{BASE}?{query}&page=2",
        "next": None,
    }
    assert body["meta"] == {
        "current_page": 3,
        "from": 7,
        "last_page": 3,
        "links": [
            {"url": f"{BASE}?{query}&page=2", "label": "&laquo; Previous", "active": False},
            {"url": f"{BASE}?{query}&page=1", "label": "1", "active": False},
            {"url": f"{BASE}?{query}&page=2", "label": "2", "active": False},
            {"url": f"{BASE}?{query}&page=3", "label": "3", "active": True},
            {"url": None, "label": "Next &raquo;", "active": False},
        ],
        "path": BASE,
        "per_page": 3,
        "to": 7,
        "total": 7,
    }


async def test_pages_cover_every_goal_once(firm: Firm) -> None:
    made = await _goals(firm, 7)
    seen: list[str] = []
    for page in (1, 2, 3):
        response = await firm.owner.get(GOALS, params={"per_page": "3", "page": str(page)})
        seen += [g["uuid"] for g in response.json()["data"]]
    assert seen == made


async def test_page_beyond_the_last_is_empty(firm: Firm) -> None:
    await _goals(firm, 2)
    response = await firm.owner.get(GOALS, params={"page": "5"})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == []
    assert body["meta"]["from"] is None
    assert body["meta"]["to"] is None
    assert body["meta"]["total"] == 2
    assert body["meta"]["last_page"] == 1
    assert body["links"]["next"] is None


async def test_empty_firm(firm: Firm) -> None:
    body = (await firm.owner.get(GOALS)).json()
    assert body["data"] == []
    assert body["meta"] == {
        "current_page": 1,
        "from": None,
        "last_page": 1,
        "links": [
            {"url": None, "label": "&laquo; Previous", "active": False},
            {"url": f"{BASE}?page=1", "label": "1", "active": True},
            {"url": None, "label": "Next &raquo;", "active": False},
        ],
        "path": BASE,
        "per_page": 15,
        "to": None,
        "total": 0,
    }
    assert body["links"] == {
        "first": f"{BASE}?page=1",
        "last": f"{BASE}?page=1",
        "prev": None,
        "next": None,
    }


async def test_per_page_up_to_500(firm: Firm) -> None:
    made = await _goals(firm, 3)
    for size in ("1", "500"):
        body = (await firm.owner.get(GOALS, params={"per_page": size})).json()
        assert body["meta"]["per_page"] == int(size)
        assert [g["uuid"] for g in body["data"]] == made[: int(size)]


PER_PAGE = "The per page field must be an integer between 1 and 500."
PAGE = "The page field must be an integer between 1 and 1000000000."


@pytest.mark.parametrize(
    "value", ["501", "0", "-1", "1.5", "abc", "", "1e2", "99999999999999999999"]
)
async def test_bad_per_page(shared_firm: Firm, value: str) -> None:
    response = await shared_firm.owner.get(GOALS, params={"per_page": value})
    assert response.status_code == 422
    assert response.json() == one_error("per_page", PER_PAGE)


@pytest.mark.parametrize("value", ["0", "-2", "x", "1000000001"])
async def test_bad_page(shared_firm: Firm, value: str) -> None:
    response = await shared_firm.owner.get(GOALS, params={"page": value, "per_page": "600"})
    assert response.status_code == 422
    assert response.json() == invalid({"page": [PAGE], "per_page": [PER_PAGE]})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"filter[foo]": "1"},
            f"Requested filter(s) `foo` are not allowed. Allowed filter(s) are `{FILTERS}`.",
        ),
        (
            {"filter[foo]": "1", "filter[account_uuid]": "x"},
            "Requested filter(s) `foo, account_uuid` are not allowed. "
            f"Allowed filter(s) are `{FILTERS}`.",
        ),
        (
            {"sort": "-amount"},
            f"Requested sort(s) `amount` is not allowed. Allowed sort(s) are `{SORTS}`.",
        ),
        (
            {"sort": "target_amount"},
            f"Requested sort(s) `target_amount` is not allowed. Allowed sort(s) are `{SORTS}`.",
        ),
        (
            {"sort": "--name"},
            f"Requested sort(s) `-name` is not allowed. Allowed sort(s) are `{SORTS}`.",
        ),
        (
            {"include": "accounts"},
            "Requested include(s) `accounts` are not allowed. Allowed include(s) are ``.",
        ),
    ],
)
async def test_unknown_names_are_400(
    shared_firm: Firm, params: dict[str, str], message: str
) -> None:
    response = await shared_firm.owner.get(GOALS, params=params)
    assert response.status_code == 400
    assert response.json() == {"message": message}


UUIDS = "The filter.{} filter must be a comma-separated list of UUIDs."
DATE = "The filter.{} filter must match the format Y-m-d."
PRIORITY = "The filter.priority filter must be integers between 1 and 5."


@pytest.mark.parametrize(
    ("name", "value", "sentence"),
    [
        ("uuid", "abc", UUIDS.format("uuid")),
        ("uuid", "", UUIDS.format("uuid")),
        (
            "account_uuids",
            "6c531e26-f0e1-4747-b9a5-c0a6b5d8bee0,nope",
            UUIDS.format("account uuids"),
        ),
        ("circle_uuids", ",", UUIDS.format("circle uuids")),
        ("priority", "0", PRIORITY),
        ("priority", "6", PRIORITY),
        ("priority", "1,x", PRIORITY),
        ("priority", "2.5", PRIORITY),
        ("complete_goal_by_before", "2027-02-30", DATE.format("complete goal by before")),
        ("complete_goal_by_after", "2027-4-1", DATE.format("complete goal by after")),
        ("complete_goal_by_after", "tomorrow", DATE.format("complete goal by after")),
        ("name", "a\u0000b", "The filter.name filter must be valid text without NUL characters."),
    ],
)
async def test_bad_filter_values_are_422(
    shared_firm: Firm, name: str, value: str, sentence: str
) -> None:
    response = await shared_firm.owner.get(GOALS, params={f"filter[{name}]": value})
    assert response.status_code == 422
    assert response.json() == one_error(f"filter.{name}", sentence)


async def test_list_needs_a_token(shared_firm: Firm) -> None:
    response = await shared_firm.client.get(GOALS)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthenticated."}
