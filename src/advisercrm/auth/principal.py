"""Who is calling: the acting account, its firm and what its login may do."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from asyncpg import Record
from sqlalchemy import BigInteger, bindparam

from advisercrm.kit.errors import Forbidden
from advisercrm.kit.render import Ctx, zone


@dataclass(frozen=True)
class User:
    user_id: int
    token_id: int


@dataclass(frozen=True)
class Principal:
    user_id: int
    token_id: int
    firm_id: int
    account_id: int
    account_uuid: str
    type: str
    role: str
    can_write: bool
    can_delete: bool
    timezone: str
    currency: str

    @classmethod
    def of(cls, row: Record | Mapping[str, Any], token_id: int = 0) -> Principal:
        """The principal an authenticated row names (a token's, a session's): the user,
        the acting account with its login's permissions, and its firm's settings."""
        return cls(
            user_id=row["user_id"],
            token_id=token_id,
            firm_id=row["firm_id"],
            account_id=row["account_id"],
            account_uuid=str(row["account_uuid"]),
            type=row["type"],
            role=row["role"],
            can_write=row["has_write_permission"],
            can_delete=row["has_delete_permission"],
            timezone=row["timezone"],
            currency=row["currency"],
        )

    @property
    def is_employee(self) -> bool:
        return self.type == "employee"

    @property
    def sees_whole_firm(self) -> bool:
        """Owners and admins see everything in the firm."""
        return self.type == "employee" and self.role in ("owner", "admin")

    @property
    def is_member(self) -> bool:
        return self.type == "employee" and self.role == "member"

    @property
    def reach(self) -> str:
        """What the visibility rules make of this principal: the whole firm, a member's
        reach, a client's own records, or nothing beyond itself (external accounts)."""
        if self.sees_whole_firm:
            return "firm"
        if self.is_member:
            return "member"
        return "client" if self.type == "client" else "self"

    def viewer(self) -> dict[str, int]:
        """The parameters a statement built for `template(self.reach)` needs."""
        return {"viewer_firm_id": self.firm_id, "viewer_id": self.account_id}

    def ctx(self, base_url: str) -> Ctx:
        return Ctx(zone(self.timezone), self.currency, base_url)

    # Routes declare the permissions they need (auth.access.Allowed); this one is for a
    # rule that depends on the record or the body (which kinds of account one may manage).
    def require_manager(self) -> None:
        if not self.sees_whole_firm:
            raise Forbidden()


VIEWER_FIRM_ID = bindparam("viewer_firm_id", type_=BigInteger)
VIEWER_ID = bindparam("viewer_id", type_=BigInteger)
_KINDS = {
    "firm": ("employee", "owner"),
    "member": ("employee", "member"),
    "client": ("client", "individual"),
    "self": ("external", "introducer"),
}


def template(reach: str) -> Principal:
    """A stand-in principal of one reach whose firm and account ids are statement
    parameters: visibility rules built with it compile once (`kit.sql.Query`) and are
    run with `principal.viewer()`."""
    kind, role = _KINDS[reach]
    return Principal(
        user_id=0,
        token_id=0,
        firm_id=cast(int, VIEWER_FIRM_ID),
        account_id=cast(int, VIEWER_ID),
        account_uuid="",
        type=kind,
        role=role,
        can_write=False,
        can_delete=False,
        timezone="UTC",
        currency="GBP",
    )
