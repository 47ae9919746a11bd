"""member_reach: every account each member reaches, kept by triggers

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 06:45:00.000000

A member reaches the accounts of the groups they take part in, the accounts of the
circles carrying those groups, and the accounts assigned to them (adviser, administrator
or paraplanner). Statement-level triggers on group_participants, circle_groups,
circle_accounts and accounts recompute, after each statement, only the members the
changed rows can affect; deleting an account removes its rows by cascade.

Each recomputation first takes a per-firm advisory lock held until commit, then reads in
fresh statements: two concurrent transactions changing one firm's reach (say one removes
a client from a group while the other removes the client's circle from it) cannot each
keep a row because the other's change was not yet visible.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The rule, for the members named by the parallel arrays (firms, ids): rows no longer
# reached go, rows newly reached come (set differences, which PostgreSQL hashes: a NOT
# EXISTS against the CTE ran as a nested loop, quadratic in a member's rows); other
# members' rows are not touched. Accounts that are not (or no longer) members keep no
# rows. A reached account must still exist: while a deletion cascades, one link table may
# not have lost the account's rows yet.
REFRESH = """
CREATE FUNCTION member_reach_refresh(firms bigint[], ids bigint[]) RETURNS void
LANGUAGE sql AS $$
WITH affected AS (
    SELECT DISTINCT firm_id, member_id
    FROM unnest(firms, ids) AS t(firm_id, member_id) WHERE member_id IS NOT NULL
), members AS (
    SELECT f.firm_id, f.member_id FROM affected f
    JOIN accounts a ON a.firm_id = f.firm_id AND a.id = f.member_id
    WHERE a.type = 'employee' AND a.role = 'member'
), mine AS (
    SELECT m.firm_id, m.member_id, gp.group_id FROM members m
    JOIN group_participants gp ON gp.firm_id = m.firm_id AND gp.account_id = m.member_id
), want AS (
    SELECT mine.firm_id, mine.member_id, gp.account_id AS client_id FROM mine
    JOIN group_participants gp ON gp.firm_id = mine.firm_id AND gp.group_id = mine.group_id
    UNION
    SELECT mine.firm_id, mine.member_id, ca.account_id FROM mine
    JOIN circle_groups cg ON cg.firm_id = mine.firm_id AND cg.group_id = mine.group_id
    JOIN circle_accounts ca ON ca.firm_id = cg.firm_id AND ca.circle_id = cg.circle_id
    UNION
    SELECT m.firm_id, m.member_id, a.id FROM members m
    JOIN accounts a ON a.firm_id = m.firm_id
        AND m.member_id IN (a.assigned_adviser_id, a.assigned_administrator_id,
                            a.assigned_paraplanner_id)
), live AS (
    SELECT w.firm_id, w.member_id, w.client_id FROM want w
    WHERE EXISTS (SELECT FROM accounts a WHERE a.firm_id = w.firm_id AND a.id = w.client_id)
), had AS (
    SELECT r.firm_id, r.member_id, r.client_id FROM member_reach r
    JOIN affected f ON r.firm_id = f.firm_id AND r.member_id = f.member_id
), gone AS (
    DELETE FROM member_reach r
    USING (SELECT firm_id, member_id, client_id FROM had
           EXCEPT SELECT firm_id, member_id, client_id FROM live) d
    WHERE r.firm_id = d.firm_id AND r.member_id = d.member_id AND r.client_id = d.client_id
)
INSERT INTO member_reach (firm_id, member_id, client_id)
SELECT firm_id, member_id, client_id FROM live
EXCEPT SELECT firm_id, member_id, client_id FROM had
ON CONFLICT DO NOTHING
$$
"""

# Which members a change can affect: kind 'member' names them; 'group' the participants
# of the groups named; 'circle' the participants of the groups carrying the circles named.
UPDATE = """
CREATE FUNCTION member_reach_update(kind text, firms bigint[], keys bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    firm bigint;
    member_firms bigint[];
    members bigint[];
BEGIN
    IF coalesce(cardinality(firms), 0) = 0 THEN
        RETURN;
    END IF;
    FOR firm IN SELECT DISTINCT f FROM unnest(firms) AS f ORDER BY f LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended('member_reach', firm));
    END LOOP;
    -- From here each statement sees what the lock's earlier holders committed.
    IF kind = 'member' THEN
        member_firms := firms;
        members := keys;
    ELSIF kind = 'group' THEN
        SELECT array_agg(s.firm_id), array_agg(s.account_id) INTO member_firms, members
        FROM (SELECT DISTINCT gp.firm_id, gp.account_id
              FROM unnest(firms, keys) AS k(firm_id, group_id)
              JOIN group_participants gp
                ON gp.firm_id = k.firm_id AND gp.group_id = k.group_id) s;
    ELSE
        SELECT array_agg(s.firm_id), array_agg(s.account_id) INTO member_firms, members
        FROM (SELECT DISTINCT gp.firm_id, gp.account_id
              FROM unnest(firms, keys) AS k(firm_id, circle_id)
              JOIN circle_groups cg ON cg.firm_id = k.firm_id AND cg.circle_id = k.circle_id
              JOIN group_participants gp
                ON gp.firm_id = cg.firm_id AND gp.group_id = cg.group_id) s;
    END IF;
    IF members IS NOT NULL THEN
        PERFORM member_reach_refresh(member_firms, members);
    END IF;
END
$$
"""


def _link_trigger(table: str, columns: tuple[str, str], key: str, kind: str) -> str:
    """A link table's trigger: the rows added or removed (an update is both), by `key`;
    a removed group participant is recomputed as well (they may have been a member)."""
    link = f"firm_id, {', '.join(columns)}"
    added = f"SELECT {link} FROM new_rows"  # noqa: S608 (names: this module's constants)
    removed = f"SELECT {link} FROM old_rows"  # noqa: S608

    def participants(rows: str) -> str:
        if table != "group_participants":
            return ""
        return f"SELECT array_agg(firm_id), array_agg(account_id) INTO mf, mk FROM ({rows}) s;"  # noqa: S608

    return f"""
CREATE FUNCTION member_reach_on_{table}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    f bigint[];
    k bigint[];
    mf bigint[];
    mk bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(firm_id), array_agg({key}) INTO f, k
        FROM (SELECT DISTINCT firm_id, {key} FROM new_rows) s;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(firm_id), array_agg({key}) INTO f, k
        FROM (SELECT DISTINCT firm_id, {key} FROM old_rows) s;
        {participants(removed)}
    ELSE
        SELECT array_agg(firm_id), array_agg({key}) INTO f, k
        FROM (SELECT DISTINCT firm_id, {key} FROM (({added} EXCEPT {removed})
              UNION ALL ({removed} EXCEPT {added})) c) s;
        {participants(f"{removed} EXCEPT {added}")}
    END IF;
    PERFORM member_reach_update('{kind}', f, k);
    PERFORM member_reach_update('member', mf, mk);
    RETURN NULL;
END
$$
"""  # noqa: S608


# An account's assigned staff (old and new) when they change, and the account itself when
# it becomes or stops being a member. A new account names only its assigned staff: no
# link row can name it before it exists.
ACCOUNTS = """
CREATE FUNCTION member_reach_on_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    f bigint[];
    k bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(firm_id), array_agg(id) INTO f, k FROM (
            SELECT DISTINCT n.firm_id, s.id FROM new_rows n,
            LATERAL (VALUES (n.assigned_adviser_id), (n.assigned_administrator_id),
                            (n.assigned_paraplanner_id)) AS s(id)
            WHERE s.id IS NOT NULL) c;
    ELSE
        SELECT array_agg(firm_id), array_agg(id) INTO f, k FROM (
            SELECT n.firm_id, n.id FROM new_rows n
            JOIN old_rows o ON o.firm_id = n.firm_id AND o.id = n.id
            WHERE (o.type, o.role) IS DISTINCT FROM (n.type, n.role)
            UNION
            SELECT n.firm_id, s.id FROM new_rows n
            JOIN old_rows o ON o.firm_id = n.firm_id AND o.id = n.id,
            LATERAL (VALUES (o.assigned_adviser_id), (o.assigned_administrator_id),
                            (o.assigned_paraplanner_id), (n.assigned_adviser_id),
                            (n.assigned_administrator_id), (n.assigned_paraplanner_id)) AS s(id)
            WHERE s.id IS NOT NULL
              AND (o.assigned_adviser_id, o.assigned_administrator_id, o.assigned_paraplanner_id)
                  IS DISTINCT FROM
                  (n.assigned_adviser_id, n.assigned_administrator_id, n.assigned_paraplanner_id)
        ) c;
    END IF;
    PERFORM member_reach_update('member', f, k);
    RETURN NULL;
END
$$
"""

# Each link table: its two columns, the one that names whose members a row affects, and how.
LINKS = {
    "group_participants": (("group_id", "account_id"), "group_id", "group"),
    "circle_groups": (("circle_id", "group_id"), "group_id", "group"),
    "circle_accounts": (("circle_id", "account_id"), "circle_id", "circle"),
}
TRIGGERS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}
# Accounts: a deletion cascades to member_reach (and to the link tables, whose triggers
# recompute the members that reached the account through them).
ACCOUNT_EVENTS = ("INSERT", "UPDATE")
BATCH = 200  # members recomputed per statement while backfilling


def upgrade() -> None:
    op.create_table(
        "member_reach",
        sa.Column("firm_id", sa.BigInteger(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["firm_id", "member_id"],
            ["accounts.firm_id", "accounts.id"],
            name=op.f("fk_member_reach_firm_id_member_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["firm_id", "client_id"],
            ["accounts.firm_id", "accounts.id"],
            name=op.f("fk_member_reach_firm_id_client_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("firm_id", "member_id", "client_id", name=op.f("pk_member_reach")),
    )
    op.create_index(
        op.f("ix_member_reach_firm_id_client_id_member_id"),
        "member_reach",
        ["firm_id", "client_id", "member_id"],
    )
    # A member's rows are all of one firm: without saying so the planner multiplies the two
    # columns' selectivities and expects a few rows where a member has hundreds.
    op.execute(
        "CREATE STATISTICS member_reach_member (dependencies, ndistinct)"
        " ON firm_id, member_id FROM member_reach"
    )
    op.execute(REFRESH)
    op.execute(UPDATE)
    for table, (columns, key, kind) in LINKS.items():
        op.execute(_link_trigger(table, columns, key, kind))
        for event, referencing in TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER member_reach_{event.lower()} AFTER {event} ON {table}"
                f" {referencing} FOR EACH STATEMENT EXECUTE FUNCTION member_reach_on_{table}()"
            )
    op.execute(ACCOUNTS)
    for event in ACCOUNT_EVENTS:
        op.execute(
            f"CREATE TRIGGER member_reach_{event.lower()} AFTER {event} ON accounts"
            f" {TRIGGERS[event]} FOR EACH STATEMENT EXECUTE FUNCTION member_reach_on_accounts()"
        )
    _backfill()


def _backfill() -> None:
    """Every member's reach, a batch of members per statement."""
    conn = op.get_bind()
    members = conn.execute(
        sa.text(
            "SELECT firm_id, id FROM accounts WHERE type = 'employee' AND role = 'member'"
            " ORDER BY firm_id, id"
        )
    ).all()
    for start in range(0, len(members), BATCH):
        batch = members[start : start + BATCH]
        conn.execute(
            sa.text("SELECT member_reach_refresh(:firms, :ids)"),
            {"firms": [m.firm_id for m in batch], "ids": [m.id for m in batch]},
        )
    # The reads' plans need the table's statistics from the start.
    conn.execute(sa.text("ANALYZE member_reach"))


def downgrade() -> None:
    for event in ACCOUNT_EVENTS:
        op.execute(f"DROP TRIGGER member_reach_{event.lower()} ON accounts")
    op.execute("DROP FUNCTION member_reach_on_accounts()")
    for table in LINKS:
        for event in TRIGGERS:
            op.execute(f"DROP TRIGGER member_reach_{event.lower()} ON {table}")
        op.execute(f"DROP FUNCTION member_reach_on_{table}()")
    op.execute("DROP FUNCTION member_reach_update(text, bigint[], bigint[])")
    op.execute("DROP FUNCTION member_reach_refresh(bigint[], bigint[])")
    op.execute("DROP STATISTICS member_reach_member")
    op.drop_index(op.f("ix_member_reach_firm_id_client_id_member_id"), table_name="member_reach")
    op.drop_table("member_reach")
