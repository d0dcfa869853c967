"""« Mise en paiement » lists the past exports twenty a page, newest first: the page
stays the same size however many exports the académie made (issue 19)."""

import re

from sqlalchemy import select

from app.extensions import db
from app.transaction import unit_of_work
from models import Academy, PaymentBatch

HOME = "/mise-en-paiement/"


def numbers(html: str) -> list[int]:
    body = html.split('class="imagin-list imagin-batches"', 1)[1].split("</table>", 1)[0]
    return [int(n) for n in re.findall(r"<tr><td>(\d+)</td>", body)]


def add_batches(app, count: int) -> None:
    with app.app_context():
        with unit_of_work(db.session):
            academy = db.session.scalar(select(Academy.id).where(Academy.code == "RENNES"))
            first = (
                db.session.scalar(select(PaymentBatch.number).order_by(PaymentBatch.number.desc()))
                or 0
            ) + 1
            db.session.add_all(
                PaymentBatch(number=first + i, academy_id=academy, content="") for i in range(count)
            )
        db.session.remove()


def test_the_exports_are_listed_twenty_a_page_newest_first(app, log_in, demo):
    manager = log_in("gestionnaire")
    add_batches(app, 25)
    with app.app_context():
        every = db.session.scalars(
            select(PaymentBatch.number).order_by(PaymentBatch.number.desc())
        ).all()
    pages = -(-len(every) // 20)
    first = manager.get(HOME).text
    assert numbers(first) == every[:20]
    assert f"Page 1 / {pages}" in first
    assert 'aria-label="Page suivante"' in first
    assert 'aria-label="Page précédente"' not in first
    second = manager.get(HOME, query_string={"page": 2}).text
    assert numbers(second) == every[20:40]
    assert 'aria-label="Page précédente"' in second
    # A page past the last shows the last; a page that is not a (bounded) number, the
    # first.
    last = every[(pages - 1) * 20 :]
    assert numbers(manager.get(HOME, query_string={"page": 999}).text) == last
    for wrong in ("x", "99999999999999", "-3"):
        assert numbers(manager.get(HOME, query_string={"page": wrong}).text) == every[:20]


def test_a_few_exports_need_no_pages(app, log_in, demo):
    manager = log_in("gestionnaire")
    page = manager.get(HOME).text
    assert (
        "imagin-pager"
        not in page.split('class="imagin-list imagin-batches"', 1)[1].split("Return file", 1)[0]
    )
