"""Migration 0007 encrypts the INSEE numbers, IBAN and BIC already stored in clear,
and its downgrade gives them back (issue 12, finding 9). On a database of its own
(SQLite file), from revision 0005 with a clear agent row."""

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app, crypto
from app.extensions import db

CLEAR = ("178051412345626", "FR7630006000011234567890189", "AGRIFRPPXXX")


def test_existing_values_are_encrypted_then_decrypted_back(app, tmp_path):
    overrides = {
        key: app.config[key]
        for key in ("TESTING", "SECRET_KEY", "UPLOAD_FOLDER", "SESSION_COOKIE_SECURE")
    }
    overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'migration.db'}"
    other = create_app(overrides)
    with other.app_context():
        upgrade(revision="0005")
        with db.engine.begin() as connection:
            academy = connection.execute(
                text("INSERT INTO academy (code, name) VALUES ('X', 'X') RETURNING id")
            ).scalar()
            connection.execute(
                text(
                    "INSERT INTO agent (academy_id, kind, external_id, last_name, first_name,"
                    " insee_number, iban, bic, financial_file_active, created_at, updated_at)"
                    " VALUES (:academy, 'EXTERNAL', 'EXT1', 'A', 'B', :nir, :iban, :bic,"
                    " true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"academy": academy, "nir": CLEAR[0], "iban": CLEAR[1], "bic": CLEAR[2]},
            )
        upgrade(revision="0007")
        with db.engine.connect() as connection:
            stored = tuple(
                connection.execute(text("SELECT insee_number, iban, bic FROM agent")).one()
            )
        assert all(token not in CLEAR for token in stored)
        assert tuple(crypto.decrypt(token) for token in stored) == CLEAR
        downgrade(revision="0005")
        with db.engine.connect() as connection:
            back = tuple(
                connection.execute(text("SELECT insee_number, iban, bic FROM agent")).one()
            )
        assert back == CLEAR
        db.engine.dispose()
