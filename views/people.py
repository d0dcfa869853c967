"""Managers' CRUD of people: contributors (agents), their establishments and
teachings, managers."""

from __future__ import annotations

from flask import redirect, request
from flask_appbuilder import expose, has_access
from flask_appbuilder.models.sqla.filters import FilterEqual
from wtforms.validators import Email, Optional

from app.extensions import db
from app.services.claims import academy as academy_claims
from app.services.claims import lifecycle
from app.services.common import clock
from app.services.competences import rules as competences
from app.services.people import personal_data
from app.services.referential import rules as referential
from models import Agent, AgentEstablishment, Manager, Teaching

from .base import (
    EagerInterface,
    ImaginModelView,
    current_academy_id,
    local_target,
    service_rule,
)
from .missions import AssignmentModelView

validate_insee = service_rule(lambda form, field: referential.insee_error(field.data))
validate_iban = service_rule(lambda form, field: referential.iban_error(field.data))
validate_bic = service_rule(lambda form, field: referential.bic_error(field.data))


class AgentModelView(ImaginModelView):
    datamodel = EagerInterface(Agent, eager=("post_discipline", "academy"))
    list_columns = [
        "last_name",
        "first_name",
        "identifier",
        "kind",
        "post_discipline",
        "town",
        "financial_file_active",
        "status",
    ]
    order_columns = ["last_name", "first_name", "kind", "town", "financial_file_active"]
    search_columns = [
        "last_name",
        "first_name",
        "numen",
        "external_id",
        "kind",
        "town",
        "financial_file_active",
    ]
    show_columns = [
        "civility",
        "last_name",
        "first_name",
        "birth_name",
        "kind",
        "numen",
        "external_id",
        "academy",
        "post_discipline",
        "grade",
        "status",
        "address_line1",
        "address_line2",
        "postcode",
        "town",
        "phone",
        "email_professional",
        "email_personal",
        "insee_number",
        "iban",
        "bic",
        "financial_file_active",
        "dcs_teacher",
        "user",
    ]
    # No académie (the manager's own) nor account (the account actions do that); the
    # grade and whether the agent is still listed come from the staff import.
    add_columns = edit_columns = [
        column for column in show_columns if column not in ("academy", "user", "grade", "status")
    ]
    # Masked on the detail; whole only in the edit form, where the manager corrects them.
    formatters_columns = {
        "insee_number": lambda value: personal_data.mask_insee(value) or "",
        "iban": lambda value: personal_data.mask_iban(value) or "",
        "bic": lambda value: personal_data.mask_bic(value) or "",
    }
    validators_columns = {
        "insee_number": [Optional(), validate_insee],
        "iban": [Optional(), validate_iban],
        "bic": [Optional(), validate_bic],
        "email_professional": [Optional(), Email()],
        "email_personal": [Optional(), Email()],
    }
    base_order = ("last_name", "asc")
    show_template = "imagin/crud/agent_show.html"
    # The agent's assignments (with their claims' statuses) under the detail.
    related_views = [AssignmentModelView]

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        """The detail, with the contributor's latest claims and their amounts."""
        pk = self._deserialize_pk_if_composite(pk)
        widgets = self._show(pk)  # 404 for an unknown contributor or another académie's
        agent = db.session.get(Agent, pk)
        academy_id = current_academy_id()
        return self.render_template(
            self.show_template,
            pk=pk,
            title=self.show_title,
            widgets=widgets,
            related_views=self._related_views,
            agent_claims=academy_claims.agent_claims(db.session, academy_id, agent.id),
            shown_statuses=lifecycle.shown_statuses,
            is_cancelled=lifecycle.cancelled,
            today=clock.today(),
        )

    def post_edit_redirect(self):
        """Back to the page that sent the manager here (``next``: the claim page whose
        acceptance waited for this financial file), else as FAB does."""
        target = local_target(request.args.get("next"))
        return redirect(target) if target else super().post_edit_redirect()

    def pre_add(self, item):
        self._normalise(item)

    def pre_update(self, item):
        self._normalise(item)

    @staticmethod
    def _normalise(item):
        item.numen = (item.numen or "").strip().upper() or None
        item.external_id = (item.external_id or "").strip().upper() or None
        item.insee_number = referential.normalise_insee(item.insee_number) or None
        item.iban = (item.iban or "").replace(" ", "").upper() or None
        item.bic = (item.bic or "").replace(" ", "").upper() or None


class AgentEstablishmentModelView(ImaginModelView):
    datamodel = EagerInterface(AgentEstablishment, eager=("agent", "establishment", "discipline"))
    list_columns = ["agent", "establishment", "link_type", "discipline"]
    search_columns = ["establishment", "link_type", "discipline"]
    add_columns = edit_columns = show_columns = [
        "agent",
        "establishment",
        "link_type",
        "discipline",
    ]


class TeachingModelView(ImaginModelView):
    """Teachings; adding one generates the competences it qualifies for (SYS). Those
    the last STS-WEB file no longer has (inactive) are kept, not shown."""

    datamodel = EagerInterface(Teaching, eager=("agent", "establishment", "mef", "subject"))
    base_filters = [["active", FilterEqual, True]]
    list_columns = [
        "agent",
        "establishment",
        "mef",
        "subject",
        "modality",
        "divisions",
        "school_year",
    ]
    search_columns = ["establishment", "subject", "school_year", "modality"]
    add_columns = edit_columns = show_columns = [
        "agent",
        "establishment",
        "mef",
        "subject",
        "modality",
        "divisions",
        "school_year",
    ]

    def post_add(self, item):
        competences.generate(db.session, year=item.school_year, agent_ids=[item.agent_id])


class ManagerModelView(ImaginModelView):
    """The académie's managers, as a manager sees them: their code and office can be
    corrected; a manager's file is created by the administrator (AdminManagerModelView)."""

    datamodel = EagerInterface(Manager, eager=("user", "academy"))
    base_permissions = ["can_list", "can_show", "can_edit"]
    list_columns = ["code", "user", "academy", "office"]
    search_columns = ["code", "office"]
    show_columns = ["code", "user", "academy", "office"]
    add_columns = edit_columns = ["code", "office"]


class AdminManagerModelView(ImaginModelView):
    """The administrator's screen of managers' files: which account manages which
    académie. The administrator serves every académie: not scoped."""

    datamodel = EagerInterface(Manager, eager=("user", "academy"), scoped=False)
    list_columns = ["code", "user", "academy", "office"]
    search_columns = ["code", "office"]
    add_columns = edit_columns = show_columns = ["code", "user", "academy", "office"]
    base_order = ("code", "asc")
