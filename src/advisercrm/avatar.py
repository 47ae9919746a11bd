"""Initials avatars (SVG) for `photo_url`: drawn here, nothing fetched from a third party."""

from __future__ import annotations

import hashlib
from html import escape

from fastapi import APIRouter, Query, Response

router = APIRouter(tags=["avatars"])
_COLOURS = ("#1abc9c", "#2e86de", "#8e44ad", "#e67e22", "#c0392b", "#16a085", "#2c3e50", "#d35400")


def initials(name: str) -> str:
    parts = [p for p in name.replace("+", " ").split() if p]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


@router.get("/avatar.svg", response_class=Response)
async def avatar(name: str = Query("", max_length=512)) -> Response:
    clean = name.replace("\x00", "")
    colour = _COLOURS[hashlib.sha256(clean.encode("utf-8", "replace")).digest()[0] % len(_COLOURS)]
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
        f'<rect width="64" height="64" fill="{colour}"/>'
        '<text x="50%" y="50%" dy=".35em" text-anchor="middle" font-family="sans-serif" '
        f'font-size="26" fill="#fff">{escape(initials(clean))}</text></svg>'
    )
    headers = {"Cache-Control": "public, max-age=86400"}
    return Response(svg, media_type="image/svg+xml", headers=headers)
