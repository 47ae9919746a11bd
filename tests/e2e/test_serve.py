"""End to end: the README's first command (`advisercrm serve --demo`) on a fresh embedded
PostgreSQL, then the seed's own request over a real socket."""

from __future__ import annotations

import json
import re
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e
SEED = json.loads((Path(__file__).parent / "seed_goal_request.json").read_text())
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


def test_demo_output_lists_the_promised_records(served: dict[str, Any]) -> None:
    demo = served["demo"]
    assert demo["token"].startswith("acrm_pat_")
    assert len(demo["employee_uuids"]) >= 2
    assert len(demo["client_uuids"]) >= 20
    assert len(demo["joint_client_uuids"]) >= 2
    assert len(demo["circle_uuids"]) >= 5
    assert len(demo["group_uuids"]) >= 3
    assert len(demo["task_status_uuids"]) == 3
    assert len(demo["case_uuids"]) == 3 and len(demo["plan_uuids"]) == 3
    assert len(demo["task_uuids"]) == 200


def _seed_body(base: str, headers: dict[str, str], demo: dict[str, Any]) -> dict[str, Any]:
    """The seed's payload with three demo clients and a circle of each in place."""
    owners, circles = [], []
    for circle_uuid in demo["circle_uuids"][:3]:
        circle = httpx.get(f"{base}/api/v1/circles/{circle_uuid}", headers=headers).json()
        owners.append(circle["accounts"][0]["uuid"])
        circles.append(circle_uuid)
    return {**SEED, "account_uuids": owners, "visible_to_circles_uuids": circles}


def test_seed_goal_request_over_a_socket(served: dict[str, Any]) -> None:
    base, demo = served["base"], served["demo"]
    headers = {
        "Authorization": f"Bearer {demo['token']}",
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-PLANNR-ACCOUNT-UUID": demo["account_uuid"],
    }
    body = _seed_body(base, headers, demo)
    response = httpx.post(f"{base}/api/v2/goals", content=json.dumps(body), headers=headers)
    assert response.status_code == 201, response.text
    goal = response.json()
    assert set(goal) == {
        "uuid", "created_at", "updated_at", "name", "description", "target_amount", "progress",
        "timeframe", "complete_goal_by", "priority", "shared_owner_type", "shared_owner",
        "show_on_circles", "accounts", "visible_to_circles",
    }  # fmt: skip
    assert TIMESTAMP.match(goal["created_at"]) and TIMESTAMP.match(goal["updated_at"])
    assert goal["name"] == "Reduced Mileage"
    assert goal["description"] == "Reduce the amount of gas spent yearly."
    assert goal["target_amount"] == {"amount": "5000", "currency": "GBP", "formatted": "£50.00"}
    assert goal["progress"] == "68"
    assert goal["timeframe"] == "Within the year."
    assert goal["complete_goal_by"] == "2027-04-28T00:00:00+01:00"
    assert goal["priority"] == "4"
    assert goal["shared_owner_type"] == "shared"
    assert goal["shared_owner"] is None
    assert goal["show_on_circles"] is False
    assert [a["uuid"] for a in goal["accounts"]] == body["account_uuids"]
    assert all(a["type"] == "client" and a["photo_url"].startswith(base) for a in goal["accounts"])
    assert [c["uuid"] for c in goal["visible_to_circles"]] == body["visible_to_circles_uuids"]
    shown = httpx.get(f"{base}/api/v2/goals/{goal['uuid']}", headers=headers)
    assert shown.status_code == 200 and shown.json() == goal


def test_docs_and_health(served: dict[str, Any]) -> None:
    base = served["base"]
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{base}/readyz").json() == {"status": "ok"}
    assert "/api/v2/goals" in httpx.get(f"{base}/openapi.json").json()["paths"]
    assert httpx.get(f"{base}/docs").status_code == 200


def test_seed_task_request_over_a_socket(served: dict[str, Any]) -> None:
    base, demo = served["base"], served["demo"]
    headers = {
        "Authorization": f"Bearer {demo['token']}",
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-PLANNR-ACCOUNT-UUID": demo["account_uuid"],
    }
    seed = json.loads((Path(__file__).parent / "seed_task_request.json").read_text())
    body = {
        **seed,
        "taskable_uuid": demo["plan_uuids"][0],
        "task_status_uuid": demo["task_status_uuids"][0],
        "parent_task_uuid": demo["task_uuids"][0],
        "assigned_to_uuids": demo["employee_uuids"][:2],
        "group_uuids": demo["group_uuids"][:2],
    }
    response = httpx.post(f"{base}/api/v1/task", content=json.dumps(body), headers=headers)
    assert response.status_code == 201, response.text
    task = response.json()
    assert (task["name"], task["description"], task["priority"]) == (
        "Check details",
        "Check details",
        "low",
    )
    assert task["due_at"] == "2020-01-01 00:00:00"
    assert task["taskable_type"] == "plan" and task["taskable"]["uuid"] == body["taskable_uuid"]
    assert task["taskable"]["type"] == "pension"
    assert task["status"]["uuid"] == body["task_status_uuid"]
    assert task["parent_task_uuid"] == body["parent_task_uuid"]
    assert sorted(a["uuid"] for a in task["assigned_to"]) == sorted(body["assigned_to_uuids"])
    assert [(f["reference"], f["value"]) for f in task["custom_fields"]] == [
        ("favourite_pet", "Dog")
    ]
    assert task["group_uuids"] == sorted(body["group_uuids"])
    assert task["author"]["uuid"] == demo["account_uuid"]
    assert isinstance(task["position"], int) and task["position"] >= 1
    assert TIMESTAMP.match(task["created_at"]) and TIMESTAMP.match(task["updated_at"])
    assert "App\\\\Http" not in response.text and '"example"' not in response.text


def test_oversized_headers_are_refused_by_the_server(served: dict[str, Any]) -> None:
    """Header size is bounded by the HTTP server itself: 431, never a 5xx."""
    base = served["base"]
    fine = httpx.get(f"{base}/healthz", headers={"X-Padding": "a" * 8_000})
    assert fine.status_code == 200
    refused = httpx.get(f"{base}/healthz", headers={"X-Padding": "a" * 1_000_000})
    assert refused.status_code == 431


def test_stopping_the_server_stops_the_embedded_database(served: dict[str, Any]) -> None:
    process = served["process"]
    pid_file = served["data_dir"] / "pgdata" / "postmaster.pid"
    assert pid_file.exists()
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    deadline = time.monotonic() + 20
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not pid_file.exists(), "the embedded PostgreSQL was left running"
