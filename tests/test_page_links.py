"""`meta.links` as Laravel's paginator lists them: every page of a short list, a sliding
window with "..." gaps in a long one, between "&laquo; Previous" and "Next &raquo;"."""

from __future__ import annotations

import pytest

from advisercrm.kit.listing import page_links, page_window

# (current page, last page) -> the window Laravel's UrlWindow shows (0 for "...").
WINDOWS = [
    ((1, 1), [1]),
    ((5, 1), [1]),  # a page past the end: every page, none of them current
    ((1, 13), list(range(1, 14))),
    ((1, 14), [*range(1, 11), 0, 13, 14]),
    ((7, 20), [*range(1, 11), 0, 19, 20]),
    ((8, 20), [1, 2, 0, 5, 6, 7, 8, 9, 10, 11, 0, 19, 20]),
    ((13, 20), [1, 2, 0, 10, 11, 12, 13, 14, 15, 16, 0, 19, 20]),
    ((14, 20), [1, 2, 0, *range(11, 21)]),
    ((20, 20), [1, 2, 0, *range(11, 21)]),
    ((25, 20), [1, 2, 0, *range(11, 21)]),
]


@pytest.mark.parametrize(("at", "expected"), WINDOWS, ids=str)
def test_window(at: tuple[int, int], expected: list[int]) -> None:
    assert page_window(*at) == [p or None for p in expected]


def test_links_of_a_middle_page() -> None:
    links = page_links(lambda page: f"/x?page={page}", 2, 3)
    assert links == [
        {"url": "/x?page=1", "label": "&laquo; Previous", "active": False},
        {"url": "/x?page=1", "label": "1", "active": False},
        {"url": "/x?page=2", "label": "2", "active": True},
        {"url": "/x?page=3", "label": "3", "active": False},
        {"url": "/x?page=3", "label": "Next &raquo;", "active": False},
    ]


def test_gap_has_no_url() -> None:
    links = page_links(lambda page: f"/x?page={page}", 1, 30)
    assert {"url": None, "label": "...", "active": False} in links
    assert links[0]["url"] is None and links[-1]["url"] == "/x?page=2"
