"""The schema, as SQLAlchemy Core tables. Alembic migrations create it; nothing else does.

Tenancy is structural: every firm-owned table has `firm_id`, its primary key is
`(firm_id, id)`, and every reference between firm-owned rows is a composite foreign
key that includes `firm_id`, so the database itself refuses a cross-firm link.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from advisercrm.kit.sql import hold_to_firm
from advisercrm.kit.tenancy import Rules

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)


def _timestamps() -> list[Column[Any]]:
    return [
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


def _uuid() -> Column[Any]:
    return Column(
        "uuid", UUID(as_uuid=True), nullable=False, server_default=text("gen_random_uuid()")
    )


def _firm_table(name: str, *columns: Any) -> Table:
    """A firm-owned entity: (firm_id, id) key, uuid unique within the firm, timestamps."""
    return Table(
        name,
        metadata,
        Column("firm_id", BigInteger, ForeignKey("firms.id", ondelete="CASCADE"), primary_key=True),
        Column("id", BigInteger, Identity(), primary_key=True),
        _uuid(),
        *columns,
        *_timestamps(),
        UniqueConstraint("firm_id", "uuid"),
        Index(None, "firm_id", "created_at", "id"),
    )


def _fk(column: str, table: str, ondelete: str = "CASCADE") -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["firm_id", column], [f"{table}.firm_id", f"{table}.id"], ondelete=ondelete
    )


def _referrers(table: Table, column: str) -> Index:
    """The index of an optional reference (`_fk`): every foreign key has one leading with
    its columns, so that a row going finds the rows that name it (its SET NULL, its
    CASCADE) without reading their table. Rows that name nothing have no entry."""
    return Index(
        None, table.c.firm_id, table.c[column], postgresql_where=table.c[column].isnot(None)
    )


def _link(name: str, left: tuple[str, str], right: tuple[str, str], *extra: Any) -> Table:
    """A many-to-many link between two firm-owned tables, indexed from both sides."""
    (left_col, left_table), (right_col, right_table) = left, right
    return Table(
        name,
        metadata,
        Column("firm_id", BigInteger, primary_key=True),
        Column(left_col, BigInteger, primary_key=True),
        Column(right_col, BigInteger, primary_key=True),
        *extra,
        _fk(left_col, left_table),
        _fk(right_col, right_table),
        Index(None, "firm_id", right_col, left_col),
    )


firms = Table(
    "firms",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    _uuid(),
    Column("name", String(255), nullable=False),
    Column("currency", String(3), nullable=False, server_default="GBP"),
    Column("timezone", String(64), nullable=False, server_default="Europe/London"),
    *_timestamps(),
    UniqueConstraint("uuid"),
)

users = Table(
    "users",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    _uuid(),
    Column("email", String(255), nullable=False),
    # Empty for a user added with a login and no password yet: nothing verifies against
    # it until one is set (`advisercrm user set-password`).
    Column("password_hash", Text, nullable=False),
    Column("first_name", String(255)),
    Column("last_name", String(255)),
    *_timestamps(),
    UniqueConstraint("uuid"),
    Index("uq_users_lower_email", func.lower(text("email")), unique=True),
)

accounts = _firm_table(
    "accounts",
    Column("type", String(16), nullable=False),
    Column("role", String(16), nullable=False),
    Column("first_name", String(255)),
    Column("last_name", String(255)),
    Column("name", String(511), nullable=False),
    Column("email", String(255)),
    Column("assigned_adviser_id", BigInteger),
    Column("assigned_administrator_id", BigInteger),
    Column("assigned_paraplanner_id", BigInteger),
    Column("inactive_at", Date),
    # Written by the introducer route (POST /api/v1/introducer); not yet rendered.
    Column("title", String(255)),
    Column("entity_name", String(255)),
    # The firm's client status the account is in, and the introducer who brought it; a
    # deleted status or introducer leaves the account without one.
    Column("client_status_id", BigInteger),
    Column("introduced_by_id", BigInteger),
    _fk("assigned_adviser_id", "accounts", "SET NULL (assigned_adviser_id)"),
    _fk("assigned_administrator_id", "accounts", "SET NULL (assigned_administrator_id)"),
    _fk("assigned_paraplanner_id", "accounts", "SET NULL (assigned_paraplanner_id)"),
    _fk("client_status_id", "client_statuses", "SET NULL (client_status_id)"),
    _fk("introduced_by_id", "accounts", "SET NULL (introduced_by_id)"),
)
Index(None, accounts.c.firm_id, accounts.c.type, accounts.c.created_at, accounts.c.id)
# For the status and introducer filters, and for the SET NULL when one is deleted.
Index(None, accounts.c.firm_id, accounts.c.client_status_id)
Index(None, accounts.c.firm_id, accounts.c.introduced_by_id)
_referrers(accounts, "assigned_adviser_id")
_referrers(accounts, "assigned_administrator_id")
_referrers(accounts, "assigned_paraplanner_id")

account_owners = _link(
    "account_owners",
    ("account_id", "accounts"),
    ("owner_id", "accounts"),
    Column("position", SmallInteger, nullable=False, server_default="0"),
)

LOGIN_FLAGS = (
    "receives_unread_notifications_email",
    "wealth_enabled",
    "goals_enabled",
    "factfind_enabled",
    "tasks_enabled",
    "welcome_enabled",
)
logins = Table(
    "logins",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    _uuid(),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("firm_id", BigInteger, nullable=False),
    Column("account_id", BigInteger, nullable=False),
    Column("has_write_permission", Boolean, nullable=False, server_default="true"),
    Column("has_delete_permission", Boolean, nullable=False, server_default="true"),
    Column("is_primary", Boolean, nullable=False, server_default="false"),
    Column("expires_at", DateTime(timezone=True)),
    # What the login shows on the client portal and which emails it receives.
    *(Column(flag, Boolean, nullable=False, server_default="false") for flag in LOGIN_FLAGS),
    *_timestamps(),
    _fk("account_id", "accounts"),
    UniqueConstraint("uuid"),
    UniqueConstraint("user_id", "account_id"),
    Index(None, "firm_id", "account_id"),
    # One primary login per account.
    Index(
        "uq_logins_primary_per_account",
        "firm_id",
        "account_id",
        unique=True,
        postgresql_where=text("is_primary"),
    ),
)

personal_access_tokens = Table(
    "personal_access_tokens",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    _uuid(),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("token_hash", LargeBinary, nullable=False),
    # A token may be bound to one account: it then can act as that account only.
    Column("firm_id", BigInteger),
    Column("account_id", BigInteger),
    Column("expires_at", DateTime(timezone=True)),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    *_timestamps(),
    _fk("account_id", "accounts"),
    UniqueConstraint("uuid"),
    UniqueConstraint("token_hash"),
    Index(None, "user_id"),
)
_referrers(personal_access_tokens, "account_id")

groups = _firm_table(
    "groups",
    Column("name", String(255), nullable=False),
    Column("slug", String(300), nullable=False),
    UniqueConstraint("firm_id", "slug"),
)

group_participants = _link("group_participants", ("group_id", "groups"), ("account_id", "accounts"))

# A firm's expenditure life stages (Current Lifestyle, Retirement...), in the firm's order.
life_stages = _firm_table(
    "life_stages",
    Column("name", String(255), nullable=False),
    Column("position", Integer, nullable=False),
    Column("start_age", SmallInteger),
    Column("end_age", SmallInteger),
)

circles = _firm_table(
    "circles",
    Column("name", String(255), nullable=False),
    Column("bg_colour", String(7)),
    Column("current_life_stage_id", BigInteger),
    _fk("current_life_stage_id", "life_stages", "SET NULL (current_life_stage_id)"),
)
_referrers(circles, "current_life_stage_id")
# A member's login access level to the circle (read or write), shown on the member's own
# circles; null when none was given.
circle_accounts = _link(
    "circle_accounts",
    ("circle_id", "circles"),
    ("account_id", "accounts"),
    Column("login_access_level", String(5)),
    CheckConstraint("login_access_level IN ('read', 'write')", name="login_access_level"),
)
circle_groups = _link("circle_groups", ("circle_id", "circles"), ("group_id", "groups"))

# Every account each member reaches (auth.visibility): the clients of the groups they take
# part in, of the circles carrying those groups, and those assigned to them. Written only
# by the database's triggers on the tables above and on accounts (its migration), so no
# write path can leave it stale; read in place of evaluating the rule at every read.
member_reach = _link("member_reach", ("member_id", "accounts"), ("client_id", "accounts"))

goals = _firm_table(
    "goals",
    Column("name", String(255), nullable=False),
    Column("description", Text),
    Column("target_amount", BigInteger),
    Column("progress", SmallInteger),
    Column("timeframe", String(255)),
    Column("complete_goal_by", Date),
    Column("priority", SmallInteger),
    Column("show_on_circles", Boolean, nullable=False, server_default="false"),
)
goal_accounts = _link(
    "goal_accounts",
    ("goal_id", "goals"),
    ("account_id", "accounts"),
    Column("position", SmallInteger, nullable=False, server_default="0"),
)
goal_circles = _link("goal_circles", ("goal_id", "goals"), ("circle_id", "circles"))

task_statuses = _firm_table(
    "task_statuses",
    Column("name", String(255), nullable=False),
    Column("colour", String(7), nullable=False),
    Column("is_type_completed", Boolean, nullable=False, server_default="false"),
    Column("is_archived", Boolean, nullable=False, server_default="false"),
    Column("is_not_started", Boolean, nullable=False, server_default="false"),
    Column("position", Integer, nullable=False),
)
Index(None, task_statuses.c.firm_id, task_statuses.c.position, task_statuses.c.id)

# A firm's case statuses (the columns of its case board) and case types.
case_statuses = _firm_table(
    "case_statuses",
    Column("name", String(255), nullable=False),
    Column("colour", String(7), nullable=False),
    Column("position", Integer, nullable=False),
    Column("is_type_completed", Boolean, nullable=False, server_default="false"),
)
case_types = _firm_table("case_types", Column("name", String(255), nullable=False))
client_statuses = _firm_table(
    "client_statuses",
    Column("name", String(255), nullable=False),
    Column("colour", String(7), nullable=False),
)

cases = _firm_table(
    "cases",
    Column("name", String(255), nullable=False),
    Column("value", BigInteger),
    Column("review_at", DateTime(timezone=True)),
    Column("status_id", BigInteger),
    Column("type_id", BigInteger),
    # Set when the case moves into a completed-type status, cleared when it leaves one.
    Column("completed_at", DateTime(timezone=True)),
    _fk("status_id", "case_statuses", "SET NULL (status_id)"),
    _fk("type_id", "case_types", "SET NULL (type_id)"),
)
Index(None, cases.c.firm_id, cases.c.status_id)
Index(None, cases.c.firm_id, cases.c.type_id)
case_participants = _link("case_participants", ("case_id", "cases"), ("account_id", "accounts"))
case_assignees = _link("case_assignees", ("case_id", "cases"), ("account_id", "accounts"))
case_groups = _link("case_groups", ("case_id", "cases"), ("group_id", "groups"))

plans = _firm_table(
    "plans",
    Column("name", String(255), nullable=False),
    Column("type", String(32), nullable=False),
    Column("policy_number", String(255)),
    Column("status", String(16), nullable=False, server_default="active"),
)
# Each owner's share of the plan in percent (the shares of a plan add up to 100).
plan_accounts = _link(
    "plan_accounts",
    ("plan_id", "plans"),
    ("account_id", "accounts"),
    Column("percentage", Numeric(5, 2), nullable=True),
    CheckConstraint("percentage BETWEEN 0 AND 100", name="percentage_range"),
)
case_plans = _link("case_plans", ("case_id", "cases"), ("plan_id", "plans"))

# Tags: the firm's labels, one per slug. A link table per kind of record tagged (rather
# than one table keyed by a type name), so each link is a real foreign key that cascades
# when its record, its tag or the firm goes.
tags = _firm_table(
    "tags",
    Column("name", String(255), nullable=False),
    Column("slug", String(300), nullable=False),
    Column("colour", String(7), nullable=False),
    UniqueConstraint("firm_id", "slug"),
)
account_tags = _link("account_tags", ("account_id", "accounts"), ("tag_id", "tags"))
case_tags = _link("case_tags", ("case_id", "cases"), ("tag_id", "tags"))
plan_tags = _link("plan_tags", ("plan_id", "plans"), ("tag_id", "tags"))

custom_fields = _firm_table(
    "custom_fields",
    Column("model_type", String(16), nullable=False),
    Column("type", String(16), nullable=False),
    Column("name", String(255), nullable=False),
    Column("reference", String(255), nullable=False),
    Column("is_required", Boolean, nullable=False, server_default="false"),
    Column("help_text", String(1000)),
    Column("selection_options", JSONB),
    Column("position", Integer, nullable=False),
    Column("is_visible_to_clients", Boolean, nullable=False, server_default="false"),
    # [{"attribute": ..., "values": [...]}]: when the field applies; stored as given.
    Column("conditions", JSONB),
    UniqueConstraint("firm_id", "model_type", "name"),
    UniqueConstraint("firm_id", "model_type", "reference"),
)

tasks = _firm_table(
    "tasks",
    Column("name", String(255), nullable=False),
    Column("description", Text),
    Column("priority", SmallInteger),
    Column("due_at", DateTime(timezone=True)),
    Column("taskable_type", String(8), nullable=False),
    # One column per taskable kind, so each is a real foreign key that cascades.
    Column("client_id", BigInteger),
    Column("case_id", BigInteger),
    Column("plan_id", BigInteger),
    Column("status_id", BigInteger, nullable=False),
    Column("parent_id", BigInteger),
    Column("author_id", BigInteger),
    Column("position", Integer, nullable=False),
    Column("completed_at", DateTime(timezone=True)),
    Column("completed_by_id", BigInteger),
    _fk("client_id", "accounts"),
    _fk("case_id", "cases"),
    _fk("plan_id", "plans"),
    _fk("status_id", "task_statuses", "RESTRICT"),
    _fk("parent_id", "tasks"),
    _fk("author_id", "accounts", "SET NULL (author_id)"),
    _fk("completed_by_id", "accounts", "SET NULL (completed_by_id)"),
    CheckConstraint(
        "num_nonnulls(client_id, case_id, plan_id) = 1",
        name="one_taskable",
    ),
)
Index(None, tasks.c.firm_id, tasks.c.status_id, tasks.c.position)
Index(None, tasks.c.firm_id, tasks.c.parent_id)
Index(None, tasks.c.firm_id, tasks.c.client_id)
Index(None, tasks.c.firm_id, tasks.c.case_id)
Index(None, tasks.c.firm_id, tasks.c.plan_id)
Index(None, tasks.c.firm_id, tasks.c.due_at, tasks.c.id)
# The tasks one person wrote, by level (a member's count of the tasks they see: see
# migration 0020); also what deleting an account looks up to clear their authorship.
Index(None, tasks.c.firm_id, tasks.c.author_id, tasks.c.parent_id, tasks.c.id)
_referrers(tasks, "completed_by_id")
# Open tasks of one person due before a date: see migration 0005.
Index(
    None,
    tasks.c.firm_id,
    tasks.c.status_id,
    tasks.c.due_at,
    tasks.c.id,
    postgresql_where=tasks.c.parent_id.is_(None),
)
# The name filter's trigram index (firm_id, name gin_trgm_ops), where the database has
# the extensions it needs: not declared here, since a database may lack it; see
# migrations/versions/0017_task_name_trigrams.py.
TASK_NAME_INDEX = "ix_tasks_firm_id_name_trgm"
# Each assignee row copies its task's status, due date and level (parent_id IS NULL), so
# a person's own open tasks due before a date are found, counted and ordered from one
# index range per status: see migration 0006. Inserted with the row; a trigger on tasks
# keeps them in step.
task_assignees = _link(
    "task_assignees",
    ("task_id", "tasks"),
    ("account_id", "accounts"),
    Column("status_id", BigInteger, nullable=False),
    Column("due_at", DateTime(timezone=True)),
    Column("top_level", Boolean, nullable=False),
)
Index(
    None,
    task_assignees.c.firm_id,
    task_assignees.c.account_id,
    task_assignees.c.status_id,
    task_assignees.c.due_at,
    task_assignees.c.task_id,
    postgresql_where=task_assignees.c.top_level,
)
# Each group row copies its task's level (parent_id IS NULL), as the assignee rows do, so
# a member's count of their top-level tasks reads the rows of their groups alone: see
# migration 0020. Inserted with the row; a trigger on tasks keeps it in step.
task_groups = _link(
    "task_groups",
    ("task_id", "tasks"),
    ("group_id", "groups"),
    Column("top_level", Boolean, nullable=False),
)
Index(
    "ix_task_groups_top_level_firm_id_group_id_task_id",  # the columns of `_link`'s own
    task_groups.c.firm_id,
    task_groups.c.group_id,
    task_groups.c.task_id,
    postgresql_where=task_groups.c.top_level,
)
task_custom_values = _link(
    "task_custom_values",
    ("task_id", "tasks"),
    ("custom_field_id", "custom_fields"),
    Column("value", JSONB, nullable=False),
)


# The changes of a firm's records. A write puts its events in `event_queue`, in its own
# transaction (an outbox), in the order it recorded them (`position`); a reader of the
# events first moves the committed ones of the firm into `events`, under a lock on the
# firm's `event_counters` row, each with the firm's next `cursor` (`resource.events`,
# migration 0025). An event that commits after a move is moved by a later one, so a
# later cursor is never seen before an earlier one. `seen_by` (deletions only): the
# members and clients who could open the record just before it went, since it cannot be
# checked afterwards.
def _event_columns() -> list[Column[Any]]:
    """What an event is, queued or numbered: its name, its record, its data, who besides
    owners and admins may see a deletion, and when it was recorded."""
    return [
        Column("name", String(64), nullable=False),
        Column("record_type", String(64), nullable=False),
        Column("record_uuid", UUID(as_uuid=True), nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("seen_by", ARRAY(BigInteger)),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


event_counters = Table(
    "event_counters",
    metadata,
    Column("firm_id", BigInteger, ForeignKey("firms.id", ondelete="CASCADE"), primary_key=True),
    Column("last", BigInteger, nullable=False),
    # The highest cursor the retention pruned (`webhooks.retention`): 0 when none was.
    Column("pruned_through", BigInteger, nullable=False, server_default="0"),
)
events = Table(
    "events",
    metadata,
    Column("firm_id", BigInteger, ForeignKey("firms.id", ondelete="CASCADE"), primary_key=True),
    Column("cursor", BigInteger, primary_key=True),
    _uuid(),
    *_event_columns(),
    UniqueConstraint("firm_id", "uuid"),
    # A record's events in order, for delivering them one record at a time.
    Index(None, "firm_id", "record_uuid", "cursor"),
    Index(None, "created_at"),  # the retention prunes oldest first
)
event_queue = Table(
    "event_queue",
    metadata,
    Column("firm_id", BigInteger, ForeignKey("firms.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "position",
        BigInteger,
        primary_key=True,
        server_default=text("nextval('event_pending_cursors')"),
    ),
    *_event_columns(),
)
webhook_subscriptions = _firm_table(
    "webhook_subscriptions",
    Column("url", String(2048), nullable=False),
    Column("events", ARRAY(String(64)), nullable=False),
    Column("signing_secret", String(60), nullable=False),
    Column("last_outgoing_webhook_call_at", DateTime(timezone=True)),
    # The firm's cursor up to which the worker made this subscription's deliveries; set
    # to the firm's last one when the subscription is created (a trigger).
    Column("fanned_through", BigInteger, nullable=False, server_default="0"),
)

# One per event and subscription that takes its name, made by the worker after the event
# commits (`webhooks.deliveries`). The worker claims due pending ones under a lease
# (`locked_until`, past the attempt's timeout) and records each attempt; `record_uuid` is
# the event's, copied so a delivery can wait for the earlier pending ones of its record
# without a join.
_PENDING = text("status = 'pending'")
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("firm_id", BigInteger, primary_key=True),
    Column("id", BigInteger, Identity(), primary_key=True),
    _uuid(),
    Column("subscription_id", BigInteger, nullable=False),
    Column("event_cursor", BigInteger, nullable=False),
    Column("record_uuid", UUID(as_uuid=True), nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("locked_until", DateTime(timezone=True)),
    Column("status_code", Integer),
    Column("error", Text),
    Column("duration_ms", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("delivered_at", DateTime(timezone=True)),
    CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
    UniqueConstraint("firm_id", "uuid"),
    _fk("subscription_id", "webhook_subscriptions"),
    ForeignKeyConstraint(
        ["firm_id", "event_cursor"], ["events.firm_id", "events.cursor"], ondelete="CASCADE"
    ),
    # The worker's claim: due pending deliveries, and the earlier pending ones of a record.
    Index("ix_webhook_deliveries_due", "next_attempt_at", postgresql_where=_PENDING),
    Index(
        "ix_webhook_deliveries_pending_record",
        *("firm_id", "subscription_id", "record_uuid", "event_cursor"),
        postgresql_where=_PENDING,
    ),
    Index(None, "firm_id", "subscription_id", "created_at", "id"),
    Index(None, "firm_id", "event_cursor"),
)

# Responses to POSTs sent with an Idempotency-Key, kept 24 hours; keys belong to a user.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", LargeBinary, nullable=False),
    Column("status", SmallInteger),
    Column("body", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Requests per caller per minute, shared by every process and server on the database.
# Processes take the budget in small leases, so most requests cost no round trip here.
rate_limit_windows = Table(
    "rate_limit_windows",
    metadata,
    Column("bucket", String(64), primary_key=True),
    Column("window_start", DateTime(timezone=True), primary_key=True),
    Column("hits", Integer, nullable=False),
    Column("last_grant", Integer, nullable=False),
)

# The workspace's signed-in browsers: a session is found by the HMAC of its cookie's
# token; the account it acts as is chosen after signing in (empty until then).
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("token_hash", LargeBinary, nullable=False),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("firm_id", BigInteger),
    Column("account_id", BigInteger),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_seen_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    _fk("account_id", "accounts"),
    UniqueConstraint("token_hash"),
    Index(None, "user_id"),
)
_referrers(web_sessions, "account_id")

# Failed password checks per throttle key (a hash of e.g. the email and the address),
# counted until `resets_at`; shared by every process on the database.
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("attempts", Integer, nullable=False),
    Column("resets_at", DateTime(timezone=True), nullable=False),
)


# Every row of a table whose primary key includes firm_id belongs to one firm; logins and
# tokens belong to a user (read by user or token hash). Every statement the application
# runs is checked against these before it runs (kit.tenancy, through kit.sql).
TENANCY = Rules(
    firm_owned=frozenset(
        t.name for t in metadata.tables.values() if "firm_id" in t.primary_key.columns
    ),
    user_owned=frozenset({"logins", "personal_access_tokens", "web_sessions"}),
    user_keys=("user_id", "token_hash"),
)
hold_to_firm(TENANCY)
