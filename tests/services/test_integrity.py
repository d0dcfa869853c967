"""What the database refuses, said in French with the fields concerned, from the real
errors of the database the suite runs on (SQLite and PostgreSQL word them differently);
a record still used is found before any delete."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from app.services.common import integrity
from models import Academy, Exam, Mission, MissionType, Paper, RateTable, Specialty


def find(session, model, **lookup):
    return session.scalar(select(model).filter_by(**lookup))


def database_error(session, write):
    """The error the database raises for ``write`` (then rolled back)."""
    with pytest.raises((DBAPIError, OverflowError)) as caught:
        write()
        session.flush()
    session.rollback()
    return caught.value


def test_a_unique_constraint_names_the_typed_field(session, demo):
    exam = find(session, Exam, code="BTS")
    error = database_error(
        session, lambda: session.add(Specialty(exam=exam, code="31406", name="X"))
    )
    refused = integrity.refusal(error, Specialty)
    assert str(refused.message) == "Cette valeur existe déjà."
    assert refused.fields == ("code",)


def test_a_unique_constraint_on_a_number_names_it(session, demo):
    original = find(session, Mission, number=52525)
    error = database_error(
        session,
        lambda: session.add(
            Mission(
                academy_id=original.academy_id,
                number=52525,
                mission_type_id=original.mission_type_id,
                session_id=original.session_id,
            )
        ),
    )
    assert integrity.refusal(error, Mission).fields == ("number",)


def test_a_check_constraint_names_its_column(session, demo):
    paper = find(session, Paper, code="U3")

    def write():
        paper.copy_rate_group = 9

    refused = integrity.refusal(database_error(session, write), Paper)
    assert str(refused.message) == "Cette valeur n'est pas admise."
    assert refused.fields == ("copy_rate_group",)


def test_a_period_check_names_both_dates(session, demo):
    import datetime as dt

    academy = find(session, Academy, code="RENNES")

    def write():
        session.add(
            RateTable(
                academy=academy,
                name="X",
                valid_from=dt.date(2027, 1, 1),
                valid_until=dt.date(2026, 1, 1),
            )
        )

    refused = integrity.refusal(database_error(session, write), RateTable)
    assert set(refused.fields) == {"valid_from", "valid_until"}


def test_a_number_too_large_for_the_column_is_a_french_message(session, demo):
    paper = find(session, Paper, code="U3")

    def write():
        paper.copy_rate_group = 10**30

    refused = integrity.refusal(database_error(session, write), Paper)
    assert str(refused.message).startswith("Une valeur est trop grande ou non valide")


def test_a_delete_the_database_refuses_is_still_used(session, demo):
    exam = find(session, Exam, code="BTS")
    error = database_error(session, lambda: session.delete(exam))
    refused = integrity.refusal(error, Exam, deleting=True)
    assert str(refused.message).startswith(
        "Suppression impossible : cet enregistrement est encore utilisé par"
    )
    assert "constraint" not in str(refused.message)


def test_what_still_uses_a_record_is_counted_before_deleting(session, demo):
    mission_type = find(session, MissionType, code="CORR")
    uses = dict(integrity.still_used_by(session, mission_type))
    assert uses["mission"] == session.scalar(
        select(func.count(Mission.id)).where(Mission.mission_type_id == mission_type.id)
    )
    with pytest.raises(integrity.Refused, match="encore utilisé par missions"):
        integrity.check_deletable(session, mission_type)


def test_rows_deleted_with_the_record_do_not_count(session, demo):
    # A barème's lines go with it (cascade): the barème is not "used" by them.
    table = session.scalar(select(RateTable))
    assert table.lines
    assert integrity.still_used_by(session, table) == []
