"""The bare-framework baseline of the benchmark (B2): a plain Flask + SQLAlchemy + Jinja
application that reads the same rows as the portal's pages, with the same joins, and
renders them as an HTML table, with no login, no roles, no menu, no session, no
translation; and a bare xhtml2pdf render of the same HTML as the PDF recap.

A portal page's time divided by its baseline's time, measured in the same minute
(``tools/benchmark.py`` interleaves them), says what the portal adds to the framework,
whatever the machine's load.
"""

from __future__ import annotations

from io import BytesIO

from flask import Flask, render_template_string, request
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session, contains_eager, selectinload
from xhtml2pdf import pisa

PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }} ({{ total }} lignes)</h1>
<table><thead><tr>{% for c in columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead>
<tbody>{% for row in rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody></table></main></body></html>"""

CLAIM = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>{{ claim.number }}</title></head>
<body><main><h1>{{ mission.session.exam.name }} — {{ mission.number }}</h1>
<p>{{ mission.mission_type.name }} · {{ mission.first_day }} · {{ claim.fee_status.name }}
· {{ claim.travel_status.name }}</p>
<ul>{% for e in claim.fee_entries %}
<li>{{ e.day }} {{ e.copies }} {{ e.candidates }}</li>{% endfor %}</ul>
<ul>{% for leg in claim.travel_legs %}<li>{{ leg.departure_date }} {{ leg.departure_town }}
{{ leg.arrival_town }} {{ leg.km_one_way }}</li>{% endfor %}</ul>
<ul>{% for d in claim.documents %}<li>{{ d.display_name }}</li>{% endfor %}</ul>
<ol>{% for h in claim.history %}<li>{{ h.at }} {{ h.to_status.name }}</li>{% endfor %}</ol>
</main></body></html>"""

COLUMNS = ("Examen", "Type", "N°", "Début", "Centre", "Rémunération", "Déplacement")


def _claims():
    from models import Assignment, ExamSession, ExpenseClaim, Mission

    return (
        select(ExpenseClaim)
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        .outerjoin(Mission.session)
        .outerjoin(ExamSession.exam)
        .outerjoin(Mission.mission_type)
        .outerjoin(Mission.centre)
        .outerjoin(Assignment.agent)
        .options(
            contains_eager(ExpenseClaim.assignment).contains_eager(Assignment.mission),
            contains_eager(ExpenseClaim.assignment).contains_eager(Assignment.agent),
            contains_eager(ExpenseClaim.assignment)
            .contains_eager(Assignment.mission)
            .contains_eager(Mission.session)
            .contains_eager(ExamSession.exam),
            contains_eager(ExpenseClaim.assignment)
            .contains_eager(Assignment.mission)
            .contains_eager(Mission.mission_type),
            contains_eager(ExpenseClaim.assignment)
            .contains_eager(Assignment.mission)
            .contains_eager(Mission.centre),
        )
    )


def _cells(claim) -> tuple:
    mission = claim.assignment.mission
    centre = mission.centre
    return (
        mission.session.exam.name,
        mission.mission_type.name,
        mission.number,
        mission.first_day.strftime("%d/%m/%Y") if mission.first_day else "",
        f"{centre.name} {centre.town} ({centre.uai})" if centre else "",
        claim.fee_status.name,
        claim.travel_status.name,
    )


def create_baseline(database_url: str) -> Flask:
    """The B2 application on ``database_url`` (the portal's database)."""
    from models import Assignment, ExpenseClaim, Mission

    app = Flask("baseline")
    engine = create_engine(database_url, pool_pre_ping=True)

    @app.get("/agent-claims/<int:agent_id>")
    def agent_claims(agent_id):
        with Session(engine) as session:
            claims = session.scalars(
                _claims()
                .where(Assignment.agent_id == agent_id)
                .order_by(Mission.first_day.desc(), ExpenseClaim.id.desc())
            ).unique()
            rows = [_cells(claim) for claim in claims]
        return render_template_string(
            PAGE, title="Missions", columns=COLUMNS, rows=rows, total=len(rows)
        )

    @app.get("/academy-claims/<int:academy_id>")
    def academy_claims(academy_id):
        page = max(1, request.args.get("page", 1, type=int))
        with Session(engine) as session:
            statement = _claims().where(Mission.academy_id == academy_id)
            keys = statement.with_only_columns(ExpenseClaim.id, maintain_column_froms=True)
            total = session.scalar(
                select(func.count()).select_from(keys.order_by(None).limit(10_001).subquery())
            )
            order = (Mission.first_day.desc().nulls_last(), ExpenseClaim.id.desc())
            chosen = list(session.scalars(keys.order_by(*order).limit(20).offset((page - 1) * 20)))
            claims = session.scalars(statement.where(ExpenseClaim.id.in_(chosen)).order_by(*order))
            rows = [_cells(claim) for claim in claims.unique()]
        return render_template_string(
            PAGE, title="États de frais", columns=COLUMNS, rows=rows, total=total
        )

    @app.get("/claim/<int:claim_id>")
    def claim(claim_id):
        with Session(engine) as session:
            found = session.scalar(
                _claims()
                .where(ExpenseClaim.id == claim_id)
                .options(
                    selectinload(ExpenseClaim.fee_entries),
                    selectinload(ExpenseClaim.travel_legs),
                    selectinload(ExpenseClaim.documents),
                    selectinload(ExpenseClaim.history),
                )
            )
            return render_template_string(CLAIM, claim=found, mission=found.assignment.mission)

    return app


def bare_pdf(html: str) -> bytes:
    """The same HTML rendered by xhtml2pdf alone (no template, no context, no policy)."""
    output = BytesIO()
    result = pisa.CreatePDF(html, dest=output, encoding="utf-8")
    if result.err:
        raise RuntimeError(f"xhtml2pdf: {result.err} error(s)")
    return output.getvalue()
