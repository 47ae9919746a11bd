"""Static look-ups (/api/v1/static/...): public reference data, the same for every firm,
served without credentials (Plannr's is called so), as `{"data": [...]}`."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from advisercrm.kit.render import JSON
from advisercrm.static_data.nationalities import NATIONALITIES

router = APIRouter(prefix="/api/v1/static", tags=["static"])


class NationalityOut(BaseModel):
    nationality: str


class NationalitiesOut(BaseModel):
    data: list[NationalityOut]


_NATIONALITIES = {"data": [{"nationality": name} for name in NATIONALITIES]}


@router.get("/nationalities", response_model=NationalitiesOut, name="list_nationalities")
async def nationalities() -> JSON:
    headers = {"Cache-Control": "public, max-age=86400"}
    return JSON(_NATIONALITIES, headers=headers)
