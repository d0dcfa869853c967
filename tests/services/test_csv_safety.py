"""Formulas in the CSV files the portal writes (issue 12, finding 5): a text cell
beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with a
single quote (OWASP "CSV injection"), so that a spreadsheet shows it as text; the
amounts the portal writes itself stay numbers, a negative one too."""

import csv
import io
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.services.common import spreadsheet
from app.services.payments import export as payment_export
from models import Academy, Agent, Manager

PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_dangerous_text_cell_is_prefixed_with_a_quote(payload):
    assert spreadsheet.safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("value", ["LECLERC", "Claire", "", "2026-000001", "O'HARA", "a=b"])
def test_an_ordinary_text_cell_is_left_as_it_is(value):
    assert spreadsheet.safe_cell(value) == value


@pytest.mark.parametrize("value", [Decimal("-16.00"), Decimal("24.66"), -3, 0, 12])
def test_numbers_written_by_the_portal_stay_numbers(value):
    assert spreadsheet.safe_cell(value) == value


def test_the_writer_neutralises_every_text_cell_of_every_row():
    buffer = io.StringIO()
    writer = spreadsheet.writer(buffer)
    writer.writerow(["=1+1", Decimal("-5.00"), "ok"])
    writer.writerows([["@x", -2], ["+y", "\tz"]])
    rows = list(csv.reader(io.StringIO(buffer.getvalue(), newline=""), delimiter=";"))
    assert rows == [["'=1+1", "-5.00", "ok"], ["'@x", "-2"], ["'+y", "'\tz"]]
    assert buffer.getvalue().endswith("\r\n")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_payment_csv_neutralises_an_agent_named_with_a_formula(demo, session, payload):
    teacher = session.scalar(select(Agent).where(Agent.numen == "35E0000001MPC"))
    teacher.last_name = payload
    teacher.first_name = payload
    session.commit()
    rennes = session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
    manager = session.scalar(select(Manager.user_id).where(Manager.code == "DEC2-GUILLOU"))
    batch = payment_export.export_payments(session, rennes, by_user_id=manager)
    header, *rows = list(csv.reader(io.StringIO(batch.content, newline=""), delimiter=";"))
    who, last, first = (header.index(c) for c in ("identifiant_agent", "nom", "prenom"))
    names = [(row[last], row[first]) for row in rows if row[who] == "35E0000001MPC"]
    assert names and all(name == ("'" + payload, "'" + payload) for name in names)
    # No cell of the file starts with a formula sign, whoever typed it.
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
    # The amounts are still plain numbers.
    total = header.index("montant")
    assert all(Decimal(row[total]) > 0 for row in rows)
