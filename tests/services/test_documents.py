"""Supporting documents: which pieces a claim needs, and the rules of the files the
agent deposits (format checked on the content, size, name, count, frozen claims)."""

import io
import struct
import zlib
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.services import DomainError
from app.services.claims import documents, lifecycle
from app.services.claims.documents import Upload
from app.transaction import unit_of_work
from models import (
    Agent,
    Assignment,
    Establishment,
    ExpenseClaim,
    Mission,
    MissionType,
    SupportingDocument,
    TravelLeg,
)
from models.enums import (
    ClaimPart,
    ClaimStatus,
    DocumentDossier,
    DocumentPiece,
    FeeEntryFamily,
    TransportMode,
)

PAY, TRAVEL = DocumentDossier.PAY, DocumentDossier.TRAVEL
P = DocumentPiece
M = TransportMode
MB5 = 5 * 1024 * 1024
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def png() -> bytes:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + chunk(b"IEND", b"")
    )


def padded(head: bytes, size: int) -> bytes:
    return head + b"0" * (size - len(head))


# --- Which pieces are required (transient claims) -------------------------------------------


def make_claim(
    *,
    active=True,
    insee="178051412345678",
    legs=(),
    family=FeeEntryFamily.CANDIDATES,
    fee=ClaimStatus.NOT_VALIDATED,
    travel=ClaimStatus.NOT_VALIDATED,
):
    agent = Agent(last_name="X", first_name="Y", financial_file_active=active, insee_number=insee)
    mission = Mission(
        number=1,
        mission_type=MissionType(code="T", name="T", fee_family=family, reimburses_travel=True),
        centre=Establishment(name="C", town="PONTIVY", postcode="56300"),
    )
    claim = ExpenseClaim(fee_status=fee, travel_status=travel)
    claim.assignment = Assignment(agent=agent, mission=mission)
    claim.travel_legs = list(legs)
    return claim


def leg(mode=M.CAR, **values):
    return TravelLeg(
        position=1,
        departure_town="A",
        arrival_town="B",
        transport_mode=mode,
        km_one_way=Decimal(40) if mode is M.CAR else None,
        trips=2 if mode is M.CAR else None,
        **{"nights_refund": 0, "misc_amount": None, **values},
    )


def test_nothing_is_required_with_an_active_file_an_insee_number_and_a_plain_car_leg():
    claim = make_claim(legs=[leg()])
    assert documents.required_for(claim) == {PAY: [], TRAVEL: []}
    assert documents.missing_for(claim) == []


def test_bank_details_when_the_financial_file_is_not_active():
    assert documents.required_for(make_claim(active=False))[PAY] == [P.RIB]


@pytest.mark.parametrize("insee", [None, ""])
def test_health_card_when_the_insee_number_is_empty(insee):
    assert documents.required_for(make_claim(insee=insee))[PAY] == [P.HEALTH_CARD]


def test_hotel_invoice_for_refunded_nights_only():
    assert documents.required_for(make_claim(legs=[leg(nights_refund=1)]))[TRAVEL] == [
        P.HOTEL_INVOICE
    ]
    assert documents.required_for(make_claim(legs=[leg(nights_free=1)]))[TRAVEL] == []


@pytest.mark.parametrize("mode", [M.TRAIN, M.PUBLIC_TRANSPORT, M.TRAVEL_VOUCHER])
def test_transport_ticket_for_train_public_transport_and_vouchers(mode):
    assert documents.required_for(make_claim(legs=[leg(), leg(mode)]))[TRAVEL] == [
        P.TRANSPORT_TICKET
    ]


@pytest.mark.parametrize("mode", [M.CAR, M.PASSENGER])
def test_no_ticket_for_car_or_passenger(mode):
    assert documents.required_for(make_claim(legs=[leg(mode)]))[TRAVEL] == []


def test_misc_receipt_for_miscellaneous_expenses():
    claim = make_claim(legs=[leg(misc_amount=Decimal("12.50"), misc_comment="péage")])
    assert documents.required_for(claim)[TRAVEL] == [P.MISC_RECEIPT]


def test_every_piece_at_once_and_what_is_still_missing():
    claim = make_claim(
        active=False,
        insee=None,
        legs=[leg(nights_refund=1, misc_amount=Decimal(3)), leg(M.TRAIN)],
    )
    assert documents.required_for(claim) == {
        PAY: [P.RIB, P.HEALTH_CARD],
        TRAVEL: [P.HOTEL_INVOICE, P.TRANSPORT_TICKET, P.MISC_RECEIPT],
    }
    claim.documents = [
        SupportingDocument(dossier=PAY, piece=P.RIB),
        SupportingDocument(dossier=TRAVEL, piece=P.TRANSPORT_TICKET),
        # Declared in the wrong dossier: it does not count.
        SupportingDocument(dossier=TRAVEL, piece=P.HEALTH_CARD),
    ]
    assert documents.missing_for(claim) == [
        (PAY, P.HEALTH_CARD),
        (TRAVEL, P.HOTEL_INVOICE),
        (TRAVEL, P.MISC_RECEIPT),
    ]


def test_no_travel_piece_when_travel_is_not_paid():
    legs = [leg(M.TRAIN, nights_refund=1)]
    for travel in (ClaimStatus.NO_FEE, ClaimStatus.NOT_VALIDATABLE):
        assert documents.required_for(make_claim(legs=legs, travel=travel))[TRAVEL] == []


def test_no_pay_piece_when_nothing_is_paid():
    claim = make_claim(
        active=False,
        insee=None,
        family=FeeEntryFamily.NONE,
        fee=ClaimStatus.NO_FEE,
        travel=ClaimStatus.NO_FEE,
    )
    assert documents.required_for(claim)[PAY] == []


# --- The demo agents ---------------------------------------------------------------------


def claim_of(session, agent, number) -> ExpenseClaim:
    return session.scalar(
        select(ExpenseClaim)
        .join(ExpenseClaim.assignment)
        .join(Assignment.mission)
        .where(Assignment.agent_id == agent.id, Mission.number == number)
    )


@pytest.fixture
def teacher(demo, session):
    return session.scalar(select(Agent).where(Agent.numen == "35E0000001MPC"))


@pytest.fixture
def external(demo, session):
    return session.scalar(select(Agent).where(Agent.external_id == "EXT35000123"))


@pytest.fixture
def claim(teacher, session):
    return claim_of(session, teacher, 52525)


def test_a_teacher_without_financial_file_needs_bank_details_and_health_card(claim):
    agent = claim.assignment.agent
    assert (agent.last_name, agent.financial_file_active) == ("LECLERC", True)
    assert documents.required_for(claim) == {PAY: [], TRAVEL: []}
    agent.financial_file_active, agent.insee_number = False, None
    assert documents.required_for(claim) == {PAY: [P.RIB, P.HEALTH_CARD], TRAVEL: []}


def test_the_demo_external_with_a_car_leg_needs_nothing(external, session):
    claim = claim_of(session, external, 52525)
    claim.travel_legs.append(leg())
    session.commit()
    assert documents.required_for(claim) == {PAY: [], TRAVEL: []}
    assert documents.missing_for(claim) == []


# --- Depositing files ------------------------------------------------------------------------


def upload(content, filename="recu.pdf", dossier=PAY, piece=P.RIB):
    return Upload(dossier=dossier, piece=piece, filename=filename, stream=io.BytesIO(content))


def add(session, claim, tmp_path, content=PDF, filename="recu.pdf", **kwargs):
    by_manager = kwargs.pop("by_manager", False)
    return documents.add_document(
        session,
        claim,
        upload(content, filename, **kwargs),
        storage=tmp_path,
        by_user_id=None,
        by_manager=by_manager,
    )


def refused(session, claim, tmp_path, content, filename, **kwargs) -> str:
    with pytest.raises(DomainError) as error:
        add(session, claim, tmp_path, content, filename, **kwargs)
    message = str(error.value.message)
    assert message.strip(), "a refusal carries a message for the agent"
    return message


def stored_files(tmp_path):
    return sorted(path.name for path in tmp_path.iterdir()) if tmp_path.exists() else []


def document_rows(session):
    return session.scalar(select(func.count()).select_from(SupportingDocument))


def test_a_pdf_is_stored_under_a_generated_name(claim, session, tmp_path):
    document = add(session, claim, tmp_path, PDF, "recu.pdf")
    assert document.id is not None
    assert document.display_name == "recu.pdf"
    assert document.stored_name != "recu.pdf"
    assert document.stored_name.endswith(".pdf")
    assert "recu" not in document.stored_name
    assert (document.content_type, document.size_bytes) == ("application/pdf", len(PDF))
    assert (document.dossier, document.piece, document.by_manager) == (PAY, P.RIB, False)
    assert stored_files(tmp_path) == [document.stored_name]
    assert documents.path_of(document, tmp_path).read_bytes() == PDF


def test_a_png_is_accepted(claim, session, tmp_path):
    document = add(session, claim, tmp_path, png(), "carte.PNG", piece=P.HEALTH_CARD)
    assert (document.display_name, document.content_type) == ("carte.png", "image/png")


def test_accents_and_spaces_of_the_name_are_normalised(claim, session, tmp_path):
    document = add(
        session, claim, tmp_path, PDF, "reçu de péage.pdf", dossier=TRAVEL, piece=P.MISC_RECEIPT
    )
    assert document.display_name == "recu_de_peage.pdf"
    assert document.stored_name != "recu_de_peage.pdf"


def test_a_renamed_program_is_refused(claim, session, tmp_path):
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
    message = refused(session, claim, tmp_path, exe, "recu.pdf")
    assert "recu.pdf" in message
    assert "PDF" in message
    assert stored_files(tmp_path) == []
    assert document_rows(session) == 0


def test_a_web_page_named_pdf_is_refused(claim, session, tmp_path):
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    message = refused(session, claim, tmp_path, html, "recu.pdf")
    assert "recu.pdf" in message
    assert stored_files(tmp_path) == []


def test_a_png_named_pdf_is_refused(claim, session, tmp_path):
    assert "recu.pdf" in refused(session, claim, tmp_path, png(), "recu.pdf")


@pytest.mark.parametrize("filename", ["recu.txt", "recu.exe", "recu.html", "recu"])
def test_other_formats_are_refused_by_their_name(claim, session, tmp_path, filename):
    message = refused(session, claim, tmp_path, b"hello", filename)
    assert filename in message
    assert ".pdf" in message
    assert stored_files(tmp_path) == []


def test_five_megabytes_exactly_are_accepted(claim, session, tmp_path):
    document = add(session, claim, tmp_path, padded(PDF, MB5), "gros.pdf")
    assert document.size_bytes == MB5
    assert documents.path_of(document, tmp_path).stat().st_size == MB5


def test_one_byte_more_than_five_megabytes_is_refused(claim, session, tmp_path):
    message = refused(session, claim, tmp_path, padded(PDF, MB5 + 1), "gros.pdf")
    assert "gros.pdf" in message
    assert "5" in message
    assert stored_files(tmp_path) == []
    assert document_rows(session) == 0


def test_a_png_of_five_megabytes_exactly_is_accepted(claim, session, tmp_path):
    assert add(session, claim, tmp_path, padded(png(), MB5), "scan.png").size_bytes == MB5


def test_an_empty_file_is_refused(claim, session, tmp_path):
    assert "vide.pdf" in refused(session, claim, tmp_path, b"", "vide.pdf")


def test_a_name_of_fifty_characters_is_accepted_and_fifty_one_refused(claim, session, tmp_path):
    accepted = add(session, claim, tmp_path, PDF, "a" * 50 + ".pdf")
    assert accepted.display_name == "a" * 50 + ".pdf"
    message = refused(session, claim, tmp_path, PDF, "b" * 51 + ".pdf")
    assert "50" in message
    assert len(stored_files(tmp_path)) == 1


def test_a_name_with_other_signs_is_refused(claim, session, tmp_path):
    message = refused(session, claim, tmp_path, PDF, "reçu (1)+.pdf")
    assert "_" in message and "-" in message


def test_a_name_without_stem_is_refused(claim, session, tmp_path):
    refused(session, claim, tmp_path, PDF, ".pdf")


def test_the_piece_must_belong_to_the_dossier(claim, session, tmp_path):
    refused(session, claim, tmp_path, PDF, "recu.pdf", dossier=TRAVEL, piece=P.RIB)


def test_twenty_documents_per_dossier_and_not_one_more(claim, session, tmp_path):
    for index in range(20):
        add(session, claim, tmp_path, PDF, f"piece-{index}.pdf", piece=P.OTHER)
    message = refused(session, claim, tmp_path, PDF, "piece-20.pdf", piece=P.OTHER)
    assert "20" in message
    assert len(stored_files(tmp_path)) == 20
    assert len(documents.documents_of(claim, PAY)) == 20
    # The limit is per dossier: the travel dossier still takes documents.
    add(session, claim, tmp_path, PDF, "billet.pdf", dossier=TRAVEL, piece=P.TRANSPORT_TICKET)
    assert document_rows(session) == 21


def validate_fee(session, claim):
    lifecycle.transition(claim, ClaimPart.FEE, ClaimStatus.VALIDATED, by_user_id=None)
    session.commit()


def test_no_upload_once_the_claim_is_validated(claim, session, tmp_path):
    validate_fee(session, claim)
    assert claim.fee_status is ClaimStatus.VALIDATED
    message = refused(session, claim, tmp_path, PDF, "recu.pdf")
    assert message
    assert stored_files(tmp_path) == []
    assert document_rows(session) == 0


def test_no_upload_on_a_cancelled_claim(teacher, session, tmp_path):
    cancelled = claim_of(session, teacher, 77842)
    assert cancelled.fee_status is ClaimStatus.CANCELLED
    refused(session, cancelled, tmp_path, PDF, "recu.pdf")


def test_delete_removes_the_row_and_the_file(claim, session, tmp_path):
    document = add(session, claim, tmp_path)
    path = documents.path_of(document, tmp_path)
    assert path.exists()
    with unit_of_work(session):  # the file goes once the deletion is committed
        documents.delete_document(session, claim, document.id, storage=tmp_path)
        assert path.exists()
    assert not path.exists()
    assert claim.documents == []
    assert document_rows(session) == 0


def test_a_deposit_rolled_back_leaves_no_file(claim, session, tmp_path):
    path = documents.path_of(add(session, claim, tmp_path), tmp_path)
    assert path.exists()
    session.rollback()  # the request that deposited it was refused later on
    assert not path.exists()


def test_a_deletion_rolled_back_keeps_the_file(claim, session, tmp_path):
    with unit_of_work(session):
        document = add(session, claim, tmp_path)
    document_id = document.id
    path = documents.path_of(document, tmp_path)
    documents.delete_document(session, claim, document_id, storage=tmp_path)
    session.rollback()  # the request that deleted it was refused later on
    assert path.exists()
    assert document_rows(session) == 1


def test_a_document_of_the_manager_cannot_be_deleted_by_the_agent(claim, session, tmp_path):
    document = add(session, claim, tmp_path, by_manager=True)
    with pytest.raises(DomainError) as error:
        documents.delete_document(session, claim, document.id, storage=tmp_path)
    assert str(error.value.message)
    assert documents.path_of(document, tmp_path).exists()
    assert document_rows(session) == 1


def test_no_delete_once_the_claim_is_validated(claim, session, tmp_path):
    document = add(session, claim, tmp_path)
    validate_fee(session, claim)
    with pytest.raises(DomainError) as error:
        documents.delete_document(session, claim, document.id, storage=tmp_path)
    assert str(error.value.message)
    assert documents.path_of(document, tmp_path).exists()
    assert document_rows(session) == 1


def test_deleting_an_unknown_document_is_not_found(claim, session, tmp_path):
    from app.services import NotFound

    with pytest.raises(NotFound):
        documents.delete_document(session, claim, 999_999, storage=tmp_path)
