"""The needs of a mission as a manager edits them (« Besoins en intervenants »): read
with the unit and the default load, replaced from typed rows (known quality given once,
places 1..999, load 1..9,999 or empty), refused as a whole with a French message per
field; the convoked per quality."""

import pytest
from sqlalchemy import select

from app.services import DomainError
from app.services.missions import needs
from models import Mission, MissionNeed
from models.enums import AssignmentQuality, AssignmentUnit

Q = AssignmentQuality


def mission(session, number):
    return session.scalar(select(Mission).where(Mission.number == number))


def row(quality="", places="", load=""):
    return {"quality": quality, "places": places, "load_per_agent": load}


def stored(session, mission_):
    return {
        (n.quality, n.places, n.load_per_agent)
        for n in session.scalars(select(MissionNeed).where(MissionNeed.mission_id == mission_.id))
    }


def test_the_demo_correction_needs_twelve_correctors_of_forty_copies(session, demo):
    correction = mission(session, 77824)
    page = needs.needs_page(session, correction)
    assert page.unit is AssignmentUnit.COPIES
    assert page.default_load == correction.mission_type.max_copies == 300
    assert str(page.default_label) == "300 copies par défaut (type de mission)"
    [line] = page.lines
    assert (line.quality, line.places, line.load_per_agent, line.load) == (Q.CORRECTOR, 12, 40, 40)
    assert line.convoked == 1  # the demo teacher
    # The form: the need, then empty rows to add others.
    assert page.rows[0] == row("CORRECTOR", "12", "40")
    assert page.rows[1:] == [row()] * needs.EMPTY_ROWS
    assert page.row_convoked == [1, None, None, None]


def test_an_invigilation_counts_half_days_and_an_oral_candidates(session, demo):
    invigilation = needs.needs_page(session, mission(session, 340001))
    assert invigilation.unit is AssignmentUnit.HALF_DAYS
    assert str(invigilation.default_label) == "1 demi-journées par défaut (dates de la mission)"
    assert [(line.quality, line.places, line.load) for line in invigilation.lines] == [
        (Q.INVIGILATOR, 4, 1)
    ]
    oral = needs.needs_page(session, mission(session, 99685))
    assert oral.unit is AssignmentUnit.CANDIDATES
    assert [(line.quality, line.places, line.load_per_agent) for line in oral.lines] == [
        (Q.EXAMINER, 2, None)
    ]


def test_rows_replace_the_needs_updating_adding_and_removing(session, demo):
    correction = mission(session, 77824)
    needs.replace_needs(
        session,
        correction,
        [row("CORRECTOR", " 10 ", ""), row(), row("PRESIDENT", "1", "5")],
    )
    assert stored(session, correction) == {(Q.CORRECTOR, 10, None), (Q.PRESIDENT, 1, 5)}
    needs.replace_needs(session, correction, [row("PRESIDENT", "2"), row()])
    assert stored(session, correction) == {(Q.PRESIDENT, 2, None)}
    needs.replace_needs(session, correction, [row(), row()])
    assert stored(session, correction) == set()


@pytest.mark.parametrize(
    ("rows", "errors"),
    [
        ([row("CORRECTOR", "0")], {0: {"places": "Saisissez un nombre compris entre 1 et 999."}}),
        (
            [row("CORRECTOR", "1000")],
            {0: {"places": "Saisissez un nombre compris entre 1 et 999."}},
        ),
        ([row("CORRECTOR", "douze")], {0: {"places": "Saisissez un nombre entier."}}),
        ([row("CORRECTOR", "")], {0: {"places": "Ce champ est obligatoire."}}),
        ([row("", "3")], {0: {"quality": "Ce champ est obligatoire."}}),
        (
            [row("", "", "40")],
            {0: {"quality": "Ce champ est obligatoire.", "places": "Ce champ est obligatoire."}},
        ),
        (
            [row("CORRECTOR", "2", "10000")],
            {0: {"load_per_agent": "Saisissez un nombre compris entre 1 et 9999."}},
        ),
        (
            [row("CORRECTOR", "2", "0")],
            {0: {"load_per_agent": "Saisissez un nombre compris entre 1 et 9999."}},
        ),
        ([row("ASTRONAUT", "2")], {0: {"quality": "Choix non valide."}}),
        (
            [row("CORRECTOR", "2"), row(), row("CORRECTOR", "3")],
            {2: {"quality": "Cette qualité figure déjà sur une autre ligne."}},
        ),
    ],
)
def test_a_wrong_row_refuses_them_all_with_a_message_next_to_the_field(session, demo, rows, errors):
    correction = mission(session, 77824)
    before = stored(session, correction)
    with pytest.raises(needs.NeedErrors) as refused:
        needs.replace_needs(session, correction, [row("PRESIDENT", "1"), *rows])
    shown = {
        index - 1: {name: str(message) for name, message in fields.items()}
        for index, fields in refused.value.errors.items()
    }
    assert shown == errors
    assert stored(session, correction) == before


def test_the_convoked_are_counted_per_quality_withdrawn_left_out(session, demo):
    combined = mission(session, 52525)  # teacher, external, colleague: none withdrawn
    convoked = needs.convoked_by_quality(combined)
    assert convoked == {Q.EXAMINER: 2, Q.PROFESSIONAL_MEMBER: 1}
    assignment = next(a for a in combined.assignments if a.quality is Q.PROFESSIONAL_MEMBER)
    assignment.cancelled_at = assignment.convoked_at
    assert needs.convoked_by_quality(combined) == {Q.EXAMINER: 2}


def test_the_same_need_added_meanwhile_by_another_manager_is_refused_in_french(
    session, demo, monkeypatch
):
    oral = mission(session, 99685)
    read_before = needs.mission_needs(session, oral)
    # Another manager adds the president meanwhile (committed after this form was read).
    session.add(MissionNeed(mission_id=oral.id, quality=Q.PRESIDENT, places=1))
    session.flush()
    monkeypatch.setattr(needs, "mission_needs", lambda *_args: read_before)
    with pytest.raises(DomainError) as refused:
        needs.replace_needs(session, oral, [row("EXAMINER", "2"), row("PRESIDENT", "1")])
    assert "au même moment par un autre utilisateur" in str(refused.value)
    session.rollback()
