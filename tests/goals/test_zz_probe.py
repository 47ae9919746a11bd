from tests.helpers import Firm
import json

async def test_probe(firm: Firm, other_firm: Firm) -> None:
    o = firm.owner
    c = await firm.client_account()
    c2 = await firm.client_account()
    circ = await firm.circle([c["uuid"], c2["uuid"]])
    g = await firm.goal([c["uuid"]])
    async def p(method, path, body=None, **kw):
        r = await o.request(method, path, json=body, **kw)
        print(method, path, kw.get("params"), repr(body)[:100], r.status_code, r.text[:600])
        return r
    await p("GET", "/api/v2/goals", params={"per_page": "501"})
    await p("GET", "/api/v2/goals", params={"per_page": "0", "page": "x"})
    await p("GET", "/api/v2/goals", params={"filter[foo]": "1", "filter[bar]": "2"})
    await p("GET", "/api/v2/goals", params={"sort": "-foo"})
    await p("GET", "/api/v2/goals", params={"include": "foo"})
    await p("GET", "/api/v2/goals", params={"filter[priority]": "6"})
    await p("GET", "/api/v2/goals", params={"filter[uuid]": "abc"})
    await p("GET", "/api/v2/goals", params={"filter[complete_goal_by_before]": "2027-02-30"})
    await p("GET", "/api/v2/goals", params={"page": "3"})
    await p("PUT", f"/api/v2/goals/{g['uuid']}", {"name": None})
    await p("PUT", f"/api/v2/goals/{g['uuid']}", {"account_uuids": None})
    await p("PUT", f"/api/v2/goals/{g['uuid']}", {"shown_on_circles": True, "visible_to_circles_uuids": [circ["uuid"]]})
    await p("PUT", f"/api/v2/goals/{g['uuid']}", {"account_uuids": [c2["uuid"]]})
    await p("PUT", f"/api/v2/goals/{g['uuid']}", [])
    await p("PUT", f"/api/v2/goals/{g['uuid']}", content=b"")
    await p("PUT", f"/api/v2/goals/not-a-uuid", {})
    await p("GET", f"/api/v1/client/{c2['uuid']}/goal/{g['uuid']}")
    await p("GET", f"/api/v1/client/{o.account_uuid}/goal")
    await p("DELETE", f"/api/v2/goals/{g['uuid']}")
    await p("DELETE", f"/api/v2/goals/{g['uuid']}")
    j = await firm.owner.created("/api/v1/client", {"role": "joint", "name": "A & B", "owner_uuids": [c["uuid"], c2["uuid"]]})
    await p("POST", "/api/v2/goals", {"account_uuids": [j["uuid"]], "name": "J", "target_amount": 123456789, "complete_goal_by": "2027-01-15"})
    ext = await firm.owner.created("/api/v1/account", {"type": "external", "role": "introducer", "first_name": "I", "last_name": "N"})
    oc = await other_firm.client_account()
    await p("POST", "/api/v2/goals", {"account_uuids": [ext["uuid"], oc["uuid"], "6c531e26-f0e1-4747-b9a5-c0a6b5d8bee0"], "name": "J"})
    assert False
