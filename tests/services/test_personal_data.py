"""Personal data at rest (issue 12, finding 9): INSEE numbers, IBAN and BIC are stored
as Fernet tokens (``DATA_ENCRYPTION_KEYS``), read back in clear by the code, shown
masked, and re-encrypted by the key rotation."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from flask import Flask
from sqlalchemy import select, text

from app import ConfigurationError, crypto
from app.seeds import large as large_dataset
from app.services.people import personal_data
from models import Agent
from models.enums import AgentKind

IBAN = "FR7630006000011234567890189"
NIR = "178051412345626"
BIC = "AGRIFRPPXXX"


def raw(session, agent_id) -> tuple:
    return tuple(
        session.execute(
            text("SELECT insee_number, iban, bic FROM agent WHERE id = :id"), {"id": agent_id}
        ).one()
    )


@pytest.fixture
def agent(demo, session):
    return session.scalar(select(Agent).where(Agent.external_id == "EXT35000123"))


@pytest.fixture
def restore_keys():
    yield
    crypto.configure([crypto.DEVELOPMENT_KEY])


def test_the_database_holds_tokens_and_the_model_the_clear_values(agent, session):
    assert (agent.insee_number, agent.iban, agent.bic) == (NIR, IBAN, BIC)
    stored = raw(session, agent.id)
    for clear, token in zip((NIR, IBAN, BIC), stored, strict=True):
        assert token != clear and clear not in token
        assert crypto.decrypt(token) == clear
    # Two agents with the same IBAN do not have the same token (random IV).
    other = Agent(academy_id=agent.academy_id, kind=AgentKind.EXTERNAL, external_id="EXT2")
    other.last_name, other.first_name, other.iban = "AUTRE", "Agent", IBAN
    session.add(other)
    session.commit()
    assert raw(session, other.id)[1] != stored[1]
    session.expire_all()
    assert session.get(Agent, other.id).iban == IBAN


def test_empty_values_stay_null(demo, session):
    # Julie BERTHELOT: no financial file yet.
    teacher = session.scalar(select(Agent).where(Agent.numen == "35E0000003ENS"))
    assert raw(session, teacher.id) == (None, None, None)
    assert teacher.iban is None


def test_the_large_data_set_writes_tokens_too(demo, session):
    large_dataset.seed_large(session, agents=20, claims=40)
    session.commit()
    rows = session.execute(
        text("SELECT insee_number, iban, bic FROM agent WHERE numen LIKE '99X%'")
    ).all()
    assert rows
    for row in rows:
        for token in row:
            assert token is not None and crypto.is_token(token)
            assert not token.startswith("FR")


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        (IBAN, "FR76 •••• •••• •••• •••• •••0 189"),
        ("FR1420041010050500013M02606", "FR14 •••• •••• •••• •••• •••2 606"),
        (NIR, "1 78 •• •• ••• ••• 26"),
        (BIC, "AGRI •••••••"),
        ("AGRIFRPP", "AGRI ••••"),
        (None, None),
        ("", None),
    ],
)
def test_masks_keep_only_a_few_characters(value, masked):
    kind = "bic" if value and value.startswith("AGRI") else "nir" if value == NIR else "iban"
    function = {
        "iban": personal_data.mask_iban,
        "nir": personal_data.mask_insee,
        "bic": personal_data.mask_bic,
    }[kind]
    assert function(value) == masked


def test_masked_view_of_an_agent(agent):
    assert personal_data.masked(agent) == {
        "insee_number": "1 78 •• •• ••• ••• 26",
        "iban": "FR76 •••• •••• •••• •••• •••0 189",
        "bic": "AGRI •••••••",
    }


def test_rotation_reencrypts_with_the_new_key_and_old_values_still_read(
    agent, session, restore_keys
):
    old_token = raw(session, agent.id)[1]
    new_key = Fernet.generate_key().decode()
    crypto.configure([new_key, crypto.DEVELOPMENT_KEY])
    session.expire_all()
    assert session.get(Agent, agent.id).iban == IBAN  # an old value still reads
    # The demo's three agents with a financial file (the external one, Claire LECLERC
    # and Yves MORVAN).
    assert personal_data.rotate_keys(session, chunk=1) == 3
    session.commit()
    tokens = raw(session, agent.id)
    assert tokens[1] != old_token
    # Only the new key is needed now.
    crypto.configure([new_key])
    assert [crypto.decrypt(token) for token in tokens] == [NIR, IBAN, BIC]
    session.expire_all()
    assert session.get(Agent, agent.id).iban == IBAN
    with pytest.raises(InvalidToken):
        Fernet(crypto.DEVELOPMENT_KEY.encode()).decrypt(tokens[1].encode())


def production_app(keys: str) -> Flask:
    application = Flask("production")
    application.config.update(TESTING=False, DATA_ENCRYPTION_KEYS=keys)
    return application


def test_production_refuses_to_start_without_a_key(restore_keys):
    with pytest.raises(ConfigurationError, match="DATA_ENCRYPTION_KEYS is not set"):
        crypto.init_app(production_app(""))
    with pytest.raises(ConfigurationError, match="not a Fernet key"):
        crypto.init_app(production_app("not-a-key"))
    key = Fernet.generate_key().decode()
    crypto.init_app(production_app(key))
    assert Fernet(key.encode()).decrypt(crypto.encrypt(IBAN).encode()).decode() == IBAN


def test_debug_and_tests_use_the_development_key(restore_keys):
    application = production_app("")
    application.debug = True
    crypto.init_app(application)
    assert Fernet(crypto.DEVELOPMENT_KEY.encode()).decrypt(crypto.encrypt(IBAN).encode())


def test_the_keys_come_from_the_setting_first_one_encrypts(restore_keys):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    crypto.configure(crypto.parse_keys(f" {first} , {second} ,"))
    token = crypto.encrypt(IBAN)
    assert Fernet(first.encode()).decrypt(token.encode()).decode() == IBAN
    assert crypto.decrypt(Fernet(second.encode()).encrypt(b"x").decode()) == "x"


def test_keyword_search_does_not_use_the_encrypted_columns():
    from views.people import AgentModelView

    assert not {"insee_number", "iban", "bic"} & set(AgentModelView.search_columns)


def test_the_rotate_keys_command(app, agent, session, restore_keys):
    agent_id = agent.id
    new_key = Fernet.generate_key().decode()
    crypto.configure([new_key, crypto.DEVELOPMENT_KEY])
    session.remove()
    result = app.test_cli_runner().invoke(args=["imagin", "rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "3 dossier(s) financier(s) rechiffré(s)" in result.output
    crypto.configure([new_key])
    assert [crypto.decrypt(token) for token in raw(session, agent_id)] == [NIR, IBAN, BIC]
