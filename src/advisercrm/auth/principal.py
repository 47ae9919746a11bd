"""Who is calling: the acting account, its firm and what its login may do."""

from __future__ import annotations

from dataclasses import dataclass

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

    def ctx(self, base_url: str) -> Ctx:
        return Ctx(zone(self.timezone), self.currency, base_url)

    def require_write(self) -> None:
        if not self.can_write:
            raise Forbidden()

    def require_delete(self) -> None:
        if not self.can_delete:
            raise Forbidden()

    def require_employee(self) -> None:
        if not self.is_employee:
            raise Forbidden()

    def require_manager(self) -> None:
        if not self.sees_whole_firm:
            raise Forbidden()
