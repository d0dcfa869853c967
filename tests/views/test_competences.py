"""Competence screens as their users see them."""

import re

from sqlalchemy import select

from app.extensions import db
from models import Agent, Competence, Discipline, Paper
from tests.conftest import csrf_token
from tests.views.helpers import console, text


def rows(html):
    """(cells text, struck) of each line of the list."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    result = []
    for css, row in re.findall(r'<tr[^>]*class="([^"]*)"[^>]*>(.*?)</tr>', body, re.S):
        cells = [text(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        result.append((cells, "struck" in css))
    return result


def competence_id(app, numen, paper_code):
    with app.app_context():
        return db.session.scalar(
            select(Competence.id)
            .join(Agent)
            .join(Paper)
            .where(Agent.numen == numen, Paper.code == paper_code)
        )


def agent_id(app, last_name):
    with app.app_context():
        return db.session.scalar(select(Agent.id).where(Agent.last_name == last_name))


def test_consultation_shows_the_three_tabs_of_the_seed(log_in, demo):
    client = log_in("enseignant")
    page = client.get("/competences/consultation/")
    body = text(page.text)
    for label in (
        "Liste des compétences",
        "Liste des établissements",
        "Liste des enseignements",
        "Examen",
        "Spécialité",
        "Epreuve option",
        "Auteurs",
    ):
        assert label in body
    lines = rows(page.text)
    assert (
        [
            "BACCALAUREAT GENERAL",
            "L - LITTERAIRE",
            "LV3A, LANGUE VIVANTE 3 ANGLAIS",
            "0650012K (C) SYS (C)",
        ],
        False,
    ) in lines
    # Invalidated by the teacher: struck through.
    assert (
        [
            "BREVET DE TECHNICIEN SUPERIEUR",
            "31406 - COMPTA&GEST. DES ORGANISATIONS",
            "U3, MATHEMATIQUES",
            "35E0000001MPC (I) SYS (C)",
        ],
        True,
    ) in lines
    assert "imagin-confirmer" not in page.text  # consultation only: no + / ×


def test_establishments_and_teachings_tabs(log_in, demo):
    client = log_in("enseignant")
    establishments = client.get("/competences/consultation/?onglet=etablissements")
    assert (
        ["0350024L", "LGT EMILE ZOLA RENNES CEDEX", "PRINCIPAL", "L1300", "MATHEMATIQUES"],
        False,
    ) in rows(establishments.text)
    for label in (
        "Code établissement",
        "Libellé établissement",
        "Type établissement",
        "Code discipline",
        "Libellé discipline",
    ):
        assert label in text(establishments.text)
    teachings = client.get("/competences/consultation/?onglet=enseignements")
    assert (
        [
            "LGT EMILE ZOLA RENNES CEDEX",
            "TERMINALE ECONOMIQUE ET SOCIALE",
            "MEF NATIONAL",
            "MATHEMATIQUES",
            "COURS GENERAL",
        ],
        False,
    ) in rows(teachings.text)
    for label in (
        "Module Élémentaire de Formation",
        "Type de M.E.F.",
        "Matière enseignée",
        "Modalité cours",
    ):
        assert label in text(teachings.text)


def test_the_teacher_invalidates_then_confirms_a_competence(app, log_in, demo):
    client = log_in("enseignant")
    page = client.get("/competences/saisie/")
    target = competence_id(app, "35E0000001MPC", "LV3A")
    response = client.post(
        f"/competences/saisie/{target}/invalider", data={"csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert any("La compétence est invalidée (35E0000001MPC)" in m for m in console(page.text))
    line = next(r for r in rows(page.text) if r[0][2] == "LV3A, LANGUE VIVANTE 3 ANGLAIS")
    assert line[0][3] == "35E0000001MPC (I) 0650012K (C) SYS (C)"
    assert line[1] is True  # struck through
    client.post(
        f"/competences/saisie/{target}/confirmer", data={"csrf_token": csrf_token(page.text)}
    )
    page = client.get("/competences/saisie/")
    line = next(r for r in rows(page.text) if r[0][2] == "LV3A, LANGUE VIVANTE 3 ANGLAIS")
    assert line[0][3].startswith("35E0000001MPC (C)")
    assert line[1] is False


def test_a_teacher_cannot_endorse_someone_elses_competence(app, log_in, demo):
    client = log_in("enseignant")
    token = csrf_token(client.get("/competences/saisie/").text)
    other = competence_id(app, "35E0000003ENS", "LV3A")  # Julie BERTHELOT's
    assert other is not None
    response = client.post(f"/competences/saisie/{other}/invalider", data={"csrf_token": token})
    assert response.status_code == 404
    with app.app_context():
        competence = db.session.get(Competence, other)
        assert all(e.author_code != "35E0000001MPC" for e in competence.endorsements)


def test_the_add_form_offers_the_exams_of_the_teachers_establishments_only(app, log_in, demo):
    client = log_in("enseignant")
    form = client.get("/competences/saisie/ajouter")
    assert form.status_code == 200
    options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', form.text)
    assert "BACCALAUREAT GENERAL" in options
    assert "BREVET DE TECHNICIEN SUPERIEUR" in options
    assert "DIPLOME NATIONAL DU BREVET" not in options  # a collège exam


def test_cascading_options_and_creation(app, log_in, demo):
    from models import Exam, Specialty

    client = log_in("enseignant")
    with app.app_context():
        bac = db.session.scalar(select(Exam).where(Exam.code == "BCG"))
        dnb = db.session.scalar(select(Exam).where(Exam.code == "DNB"))
        toutes = db.session.scalar(
            select(Specialty).where(Specialty.exam_id == bac.id, Specialty.code == "TOUTES")
        )
        bac_id, dnb_id, toutes_id = bac.id, dnb.id, toutes.id
        paper_id = db.session.scalar(select(Paper.id).where(Paper.specialty_id == toutes_id))
        dnb_paper = db.session.scalar(
            select(Paper.id).join(Paper.specialty).where(Specialty.exam_id == dnb_id)
        )
    specialties = client.get(f"/competences/saisie/options?exam={bac_id}").get_json()
    assert "TOUTES - TOUTES SERIES" in [s["label"] for s in specialties]
    assert client.get(f"/competences/saisie/options?exam={dnb_id}").get_json() == []
    papers = client.get(f"/competences/saisie/options?specialty={toutes_id}").get_json()
    assert [p["label"] for p in papers] == ["003, HISTOIRE ET GEOGRAPHIE"]

    form = client.get("/competences/saisie/ajouter")
    refused = client.post(
        "/competences/saisie/ajouter",
        data={
            "csrf_token": csrf_token(form.text),
            "exam": dnb_id,
            "paper": dnb_paper,
            "create": "1",
        },
    )
    assert refused.status_code == 200
    assert any("Choisissez un examen" in m for m in console(refused.text))

    created = client.post(
        "/competences/saisie/ajouter",
        data={
            "csrf_token": csrf_token(form.text),
            "exam": bac_id,
            "specialty": toutes_id,
            "paper": paper_id,
            "create": "1",
        },
    )
    assert created.status_code == 302
    page = client.get(created.headers["Location"])
    assert "La compétence a été créée." in console(page.text)
    assert (
        [
            "BACCALAUREAT GENERAL",
            "TOUTES - TOUTES SERIES",
            "003, HISTOIRE ET GEOGRAPHIE",
            "35E0000001MPC (C)",
        ],
        False,
    ) in [(r[0][:4], r[1]) for r in rows(page.text)]


def test_the_form_keeps_the_choices_without_javascript(app, log_in, demo):
    from models import Exam

    client = log_in("enseignant")
    with app.app_context():
        bac_id = db.session.scalar(select(Exam.id).where(Exam.code == "BCG"))
    form = client.get("/competences/saisie/ajouter")
    refreshed = client.post(
        "/competences/saisie/ajouter",
        data={"csrf_token": csrf_token(form.text), "exam": bac_id, "refresh": "1"},
    )
    assert f'<option value="{bac_id}" selected>' in refreshed.text
    assert "L - LITTERAIRE" in refreshed.text  # the specialties of the chosen exam


def test_the_head_sees_the_staff_of_their_lycee_and_speaks_with_its_code(app, log_in, demo):
    client = log_in("chef")
    page = client.get("/competences/etablissement/")
    names = {r[0][0] for r in rows(page.text)}
    assert names == {"LECLERC", "BERTHELOT", "CADIOU"}
    assert "GOURVES" not in page.text  # another lycée
    cadiou = agent_id(app, "CADIOU")
    detail = client.get(f"/competences/etablissement/{cadiou}/")
    assert detail.status_code == 200
    assert "CADIOU Pierre" in text(detail.text)
    # The seed's "0310055S (I) SYS (C)": the establishment invalidated a generated one.
    assert (
        [
            "BACCALAUREAT GENERAL",
            "TOUTES - TOUTES SERIES",
            "003, HISTOIRE ET GEOGRAPHIE",
            "0350024L (I) SYS (C)",
        ],
        True,
    ) in [(r[0][:4], r[1]) for r in rows(detail.text)]
    target = competence_id(app, "35E0000004ENS", "003")
    client.post(
        f"/competences/etablissement/{cadiou}/{target}/confirmer",
        data={"csrf_token": csrf_token(detail.text)},
    )
    detail = client.get(f"/competences/etablissement/{cadiou}/")
    line = next(r for r in rows(detail.text) if r[0][2] == "003, HISTOIRE ET GEOGRAPHIE")
    assert line == (
        [
            "BACCALAUREAT GENERAL",
            "TOUTES - TOUTES SERIES",
            "003, HISTOIRE ET GEOGRAPHIE",
            "0350024L (C) SYS (C)",
            "×",
        ],
        False,
    )


def test_the_head_gets_404_outside_their_establishments(app, log_in, demo):
    client = log_in("chef")
    outsider = agent_id(app, "GOURVES")
    assert client.get(f"/competences/etablissement/{outsider}/").status_code == 404
    token = csrf_token(client.get("/competences/etablissement/").text)
    target = competence_id(app, "35E0000001MPC", "LV3A")
    assert (
        client.post(
            f"/competences/etablissement/{outsider}/{target}/invalider", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert client.get(f"/competences/etablissement/{outsider}/ajouter").status_code == 404


def test_the_manager_finds_agents_by_their_post_discipline_or_town(app, log_in, demo):
    """The keyword looks in the post discipline too (read first, then the agents by
    their own columns' indexes) and in the town; several words all match."""
    client = log_in("gestionnaire")
    with app.app_context():
        expected = set(
            db.session.scalars(
                select(Agent.last_name)
                .join(Agent.post_discipline)
                .where(Discipline.name == "MATHEMATIQUES")
            )
        )
    found = {r[0][0] for r in rows(client.get("/competences/gestion/?q=mathem").text)}
    assert expected and expected <= found
    gourves = client.get("/competences/gestion/?q=gourv+rennes")
    assert [r[0][0] for r in rows(gourves.text)] == ["GOURVES"]
    assert rows(client.get("/competences/gestion/?q=gourv+mathematiques-nulle-part").text) == []


def test_the_manager_searches_the_academy_and_speaks_with_their_code(app, log_in, demo):
    client = log_in("gestionnaire")
    page = client.get("/competences/gestion/?q=gourv")
    assert [r[0][0] for r in rows(page.text)] == ["GOURVES"]
    assert "(1 ligne)" in text(page.text)
    everybody = client.get("/competences/gestion/?sort=last_name&dir=desc")
    names = [r[0][0] for r in rows(everybody.text)]
    assert names == sorted(names, reverse=True)
    gourves = agent_id(app, "GOURVES")
    detail = client.get(f"/competences/gestion/{gourves}/ajouter")
    assert "DIPLOME NATIONAL DU BREVET" in detail.text  # managers choose any exam
    with app.app_context():
        paper_id = db.session.scalar(select(Paper.id).where(Paper.code == "ORAL"))
    created = client.post(
        f"/competences/gestion/{gourves}/ajouter",
        data={"csrf_token": csrf_token(detail.text), "paper": paper_id, "create": "1"},
    )
    assert created.status_code == 302
    page = client.get(created.headers["Location"])
    assert any(r[0][3] == "DEC2-GUILLOU (C)" for r in rows(page.text))


def test_the_manager_does_not_reach_another_academys_agents(app, log_in, demo):
    from models import Academy
    from models.enums import AgentKind

    with app.app_context():
        nantes = db.session.scalar(select(Academy).where(Academy.code == "NANTES"))
        stranger = Agent(
            academy_id=nantes.id,
            kind=AgentKind.TEACHER,
            numen="44E0000001ABC",
            last_name="AILLEURS",
            first_name="Jean",
        )
        db.session.add(stranger)
        db.session.commit()
        stranger_id = stranger.id
    client = log_in("gestionnaire")
    assert "AILLEURS" not in client.get("/competences/gestion/").text
    assert client.get(f"/competences/gestion/{stranger_id}/").status_code == 404


def test_teachers_and_heads_cannot_use_each_others_screens(app, demo):
    from tests.conftest import login

    teacher, head = app.test_client(), app.test_client()
    login(teacher, "enseignant")
    login(head, "chef")
    assert teacher.get("/competences/etablissement/").status_code == 403
    assert teacher.get("/competences/gestion/").status_code == 403
    assert head.get("/competences/saisie/").status_code == 403
    assert head.get("/competences/gestion/").status_code == 403
