"""claims: the dashboard's summary, kept by triggers in the transaction that writes a claim

Revision ID: 0015
Revises: 0013
Create Date: 2026-11-27 19:00:00

One row per (académie, session, fee status, travel status): how many claims, how many
rejected by the finance office and back with the manager, declared not done, validated
without an amount, and the sums of their amounts. Triggers on ``expense_claim`` (insert,
update, delete), ``assignment`` (moved to another mission) and ``mission`` (moved to
another session or académie) add the rows that enter a group and take off those that
leave it, whatever wrote them: the workflow's ORM, the export's set-based ``UPDATE``,
the seeds' bulk ``INSERT``. A change that leaves every figure as it was (a claim's
comment, its entries) writes nothing, so saving a claim takes no lock on the summary.

PostgreSQL: statement-level triggers on transition tables, one upsert per group in key
order (a 5,000-claim export chunk writes a handful of rows). SQLite: row-level triggers.

Also (PostgreSQL): a partial index of the endorsements written by a person, which the
convocation candidates read (the latest word of a person on each competence).

The rules mirror ``app.services.claims.academy`` (``rejected_by_payment``,
``without_amount`` / ``PRICED``); ``tests/services/test_dashboard.py`` checks that the
summary equals a full count after workflow actions. Note for later SQLite migrations: a
``batch_alter_table`` that recreates one of these three tables drops its triggers;
create them again (``create_triggers``) in that migration.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0013"
branch_labels = None
depends_on = None

STATUSES = (
    "NO_FEE",
    "CANCELLED",
    "NOT_STARTED",
    "IN_PROGRESS",
    "NOT_VALIDATED",
    "VALIDATED",
    "ACCEPTED",
    "NOT_VALIDATABLE",
    "PROCESSED_BY_MANAGER",
    "TO_BE_PROCESSED",
    "SENT_FOR_PAYMENT",
)
PRICED = "('VALIDATED', 'PROCESSED_BY_MANAGER', 'ACCEPTED', 'SENT_FOR_PAYMENT')"
CLAIM_COLUMNS = (
    "fee_status",
    "travel_status",
    "fee_payment_rejection",
    "travel_payment_rejection",
    "not_done_declared_at",
    "fee_amount",
    "travel_amount",
)
FIGURES = ("total", "rejected", "not_done", "missing", "fee_amount", "travel_amount")

REJECTED = (
    "CASE WHEN (r.fee_status = 'PROCESSED_BY_MANAGER' AND r.fee_payment_rejection IS NOT NULL)"
    " OR (r.travel_status = 'PROCESSED_BY_MANAGER' AND r.travel_payment_rejection IS NOT NULL)"
    " THEN 1 ELSE 0 END"
)
NOT_DONE = "CASE WHEN r.not_done_declared_at IS NOT NULL THEN 1 ELSE 0 END"
MISSING = (
    f"CASE WHEN (r.fee_status IN {PRICED} AND r.fee_amount IS NULL)"
    f" OR (r.travel_status IN {PRICED} AND r.travel_amount IS NULL) THEN 1 ELSE 0 END"
)


def upsert(rows: str) -> str:
    """Add to the summary the rows of ``rows`` (columns: s, the sign, +1 or -1;
    academy_id, session_id; the claim's CLAIM_COLUMNS), grouped, in key order, leaving
    out the groups whose figures do not change."""
    sums = (
        "SUM(r.s)",
        f"SUM(r.s * {REJECTED})",
        f"SUM(r.s * {NOT_DONE})",
        f"SUM(r.s * {MISSING})",
        "SUM(r.s * COALESCE(r.fee_amount, 0))",
        "SUM(r.s * COALESCE(r.travel_amount, 0))",
    )
    keys = "r.academy_id, r.session_id, r.fee_status, r.travel_status"
    return (
        f"INSERT INTO claim_summary (academy_id, session_id, fee_status, travel_status, "
        f"{', '.join(FIGURES)}) "
        f"SELECT {keys}, {', '.join(sums)} FROM ({rows}) AS r WHERE 1 = 1 "
        f"GROUP BY {keys} HAVING {' OR '.join(f'{s} <> 0' for s in sums)} "
        f"ORDER BY {keys} "
        "ON CONFLICT (academy_id, session_id, fee_status, travel_status) DO UPDATE SET "
        + ", ".join(f"{f} = claim_summary.{f} + excluded.{f}" for f in FIGURES)
    )


def claim_rows(sign: str, claims: str, *, prefix: str = "c") -> str:
    """``claims`` (a table or transition table, aliased ``prefix``) with its mission's
    académie and session."""
    columns = ", ".join(f"{prefix}.{c} AS {c}" for c in CLAIM_COLUMNS)
    return (
        f"SELECT {sign} AS s, m.academy_id AS academy_id, m.session_id AS session_id, "
        f"{columns} FROM {claims} {prefix} JOIN assignment a ON a.id = {prefix}.assignment_id "
        "JOIN mission m ON m.id = a.mission_id"
    )


def sqlite_row(sign: str, ref: str) -> str:
    """The claim row ``ref`` (NEW or OLD of a row trigger) with its académie and session."""
    columns = ", ".join(f"{ref}.{c} AS {c}" for c in CLAIM_COLUMNS)
    return (
        f"SELECT {sign} AS s, m.academy_id AS academy_id, m.session_id AS session_id, "
        f"{columns} FROM assignment a JOIN mission m ON m.id = a.mission_id "
        f"WHERE a.id = {ref}.assignment_id"
    )


def claims_of(sign: str, where: str, academy: str, session: str) -> str:
    columns = ", ".join(f"c.{c} AS {c}" for c in CLAIM_COLUMNS)
    return (
        f"SELECT {sign} AS s, {academy} AS academy_id, {session} AS session_id, {columns} "
        f"FROM expense_claim c JOIN assignment a ON a.id = c.assignment_id WHERE {where}"
    )


def sqlite_triggers() -> list[str]:
    watched = ", ".join(("assignment_id", *CLAIM_COLUMNS))
    return [
        "CREATE TRIGGER claim_summary_insert AFTER INSERT ON expense_claim BEGIN "
        f"{upsert(sqlite_row('1', 'NEW'))}; END",
        "CREATE TRIGGER claim_summary_delete AFTER DELETE ON expense_claim BEGIN "
        f"{upsert(sqlite_row('-1', 'OLD'))}; END",
        f"CREATE TRIGGER claim_summary_update AFTER UPDATE OF {watched} ON expense_claim BEGIN "
        f"{upsert(sqlite_row('-1', 'OLD') + ' UNION ALL ' + sqlite_row('1', 'NEW'))}; END",
        "CREATE TRIGGER claim_summary_assignment AFTER UPDATE OF mission_id ON assignment "
        "WHEN OLD.mission_id <> NEW.mission_id BEGIN "
        + upsert(
            claims_of(
                "-1",
                "a.id = OLD.id",
                "(SELECT academy_id FROM mission WHERE id = OLD.mission_id)",
                "(SELECT session_id FROM mission WHERE id = OLD.mission_id)",
            )
            + " UNION ALL "
            + claims_of(
                "1",
                "a.id = NEW.id",
                "(SELECT academy_id FROM mission WHERE id = NEW.mission_id)",
                "(SELECT session_id FROM mission WHERE id = NEW.mission_id)",
            )
        )
        + "; END",
        "CREATE TRIGGER claim_summary_mission AFTER UPDATE OF academy_id, session_id ON mission "
        "WHEN OLD.academy_id <> NEW.academy_id OR OLD.session_id <> NEW.session_id BEGIN "
        + upsert(
            claims_of("-1", "a.mission_id = OLD.id", "OLD.academy_id", "OLD.session_id")
            + " UNION ALL "
            + claims_of("1", "a.mission_id = NEW.id", "NEW.academy_id", "NEW.session_id")
        )
        + "; END",
    ]


def postgresql_triggers() -> list[str]:
    columns = ", ".join(f"c.{c} AS {c}" for c in CLAIM_COLUMNS)
    moved_assignments = (
        f"SELECT -1 AS s, m.academy_id AS academy_id, m.session_id AS session_id, {columns} "
        "FROM old_assignments o JOIN new_assignments n ON n.id = o.id "
        "JOIN expense_claim c ON c.assignment_id = o.id JOIN mission m ON m.id = o.mission_id "
        "WHERE o.mission_id <> n.mission_id UNION ALL "
        f"SELECT 1, m.academy_id, m.session_id, {columns} "
        "FROM old_assignments o JOIN new_assignments n ON n.id = o.id "
        "JOIN expense_claim c ON c.assignment_id = n.id JOIN mission m ON m.id = n.mission_id "
        "WHERE o.mission_id <> n.mission_id"
    )
    moved_missions = (
        f"SELECT -1 AS s, o.academy_id AS academy_id, o.session_id AS session_id, {columns} "
        "FROM old_missions o JOIN new_missions n ON n.id = o.id "
        "JOIN assignment a ON a.mission_id = o.id JOIN expense_claim c ON c.assignment_id = a.id "
        "WHERE (o.academy_id, o.session_id) IS DISTINCT FROM (n.academy_id, n.session_id) "
        f"UNION ALL SELECT 1, n.academy_id, n.session_id, {columns} "
        "FROM old_missions o JOIN new_missions n ON n.id = o.id "
        "JOIN assignment a ON a.mission_id = n.id JOIN expense_claim c ON c.assignment_id = a.id "
        "WHERE (o.academy_id, o.session_id) IS DISTINCT FROM (n.academy_id, n.session_id)"
    )
    return [
        "CREATE FUNCTION claim_summary_claims() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN {upsert(claim_rows('1', 'new_claims'))}; "
        f"ELSIF TG_OP = 'DELETE' THEN {upsert(claim_rows('-1', 'old_claims'))}; "
        f"ELSE {upsert(claim_rows('-1', 'old_claims') + ' UNION ALL ' + claim_rows('1', 'new_claims'))}; "
        "END IF; RETURN NULL; END $$",
        "CREATE TRIGGER claim_summary_insert AFTER INSERT ON expense_claim "
        "REFERENCING NEW TABLE AS new_claims FOR EACH STATEMENT "
        "EXECUTE FUNCTION claim_summary_claims()",
        "CREATE TRIGGER claim_summary_delete AFTER DELETE ON expense_claim "
        "REFERENCING OLD TABLE AS old_claims FOR EACH STATEMENT "
        "EXECUTE FUNCTION claim_summary_claims()",
        "CREATE TRIGGER claim_summary_update AFTER UPDATE ON expense_claim "
        "REFERENCING OLD TABLE AS old_claims NEW TABLE AS new_claims FOR EACH STATEMENT "
        "EXECUTE FUNCTION claim_summary_claims()",
        "CREATE FUNCTION claim_summary_assignments() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {upsert(moved_assignments)}; RETURN NULL; END $$",
        "CREATE TRIGGER claim_summary_assignment AFTER UPDATE ON assignment "
        "REFERENCING OLD TABLE AS old_assignments NEW TABLE AS new_assignments "
        "FOR EACH STATEMENT EXECUTE FUNCTION claim_summary_assignments()",
        "CREATE FUNCTION claim_summary_missions() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN {upsert(moved_missions)}; RETURN NULL; END $$",
        "CREATE TRIGGER claim_summary_mission AFTER UPDATE ON mission "
        "REFERENCING OLD TABLE AS old_missions NEW TABLE AS new_missions "
        "FOR EACH STATEMENT EXECUTE FUNCTION claim_summary_missions()",
    ]


def create_triggers() -> None:
    bind = op.get_bind()
    statements = postgresql_triggers() if bind.dialect.name == "postgresql" else sqlite_triggers()
    for statement in statements:
        op.execute(statement)


def upgrade():
    op.create_table(
        "claim_summary",
        sa.Column("academy_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column(
            "fee_status",
            sa.Enum(
                *STATUSES,
                name="summary_fee_status",
                native_enum=False,
                create_constraint=True,
                length=28,
            ),
            nullable=False,
        ),
        sa.Column(
            "travel_status",
            sa.Enum(
                *STATUSES,
                name="summary_travel_status",
                native_enum=False,
                create_constraint=True,
                length=28,
            ),
            nullable=False,
        ),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("not_done", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("fee_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("travel_amount", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.PrimaryKeyConstraint("academy_id", "session_id", "fee_status", "travel_status"),
    )
    op.execute(upsert(claim_rows("1", "expense_claim")))
    create_triggers()
    if op.get_bind().dialect.name == "postgresql":
        # The convocation candidates: the latest word of a person on each competence
        # of a paper, read from a small index instead of every SYS endorsement.
        op.execute(
            "CREATE INDEX ix_competence_endorsement_people_pg ON competence_endorsement "
            "(competence_id, created_at DESC, id DESC) "
            "WHERE author_kind IN ('AGENT', 'ESTABLISHMENT', 'MANAGER')"
        )


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_competence_endorsement_people_pg")
    for name, table in (
        ("claim_summary_insert", "expense_claim"),
        ("claim_summary_delete", "expense_claim"),
        ("claim_summary_update", "expense_claim"),
        ("claim_summary_assignment", "assignment"),
        ("claim_summary_mission", "mission"),
    ):
        if bind.dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    if bind.dialect.name == "postgresql":
        for function in (
            "claim_summary_claims",
            "claim_summary_assignments",
            "claim_summary_missions",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    op.drop_table("claim_summary")
