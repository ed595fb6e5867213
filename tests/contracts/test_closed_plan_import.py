"""A DECP import for a closed plan's buyers is refused, in French, nothing written: in the admin (next
to the plan field, and at the confirmation when the plan was closed after the preview) and by the
command's --plan. Without a plan named, the import keeps the buyers given as before."""

import datetime
import io
import tempfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from actions import services
from actions.enums import PlanState
from actions.models import Plan
from contracts.models import Contract
from tests.contracts import files
from tests.contracts.admin_import import confirm, preview, text, upload
from tests.contracts.files import BUYER, marche
from tests.utils import database_state

pytestmark = pytest.mark.django_db

IN_2026 = datetime.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _private_temp(tmp_path, monkeypatch):
    """Previews left unconfirmed wait in the test's own temporary folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()


@pytest.fixture
def plan(spaser54):
    files.add_buyer(spaser54, BUYER)
    return spaser54


@pytest.fixture
def scp(client, scp_user, plan):
    client.force_login(scp_user)
    return client


def close(the_plan, user) -> Plan:
    return services.plan_state_set(plan=the_plan, state=PlanState.CLOSED, user=user, today=IN_2026)


def test_the_admin_refuses_a_closed_plan_next_to_its_field(scp, scp_user, plan, tmp_path):
    close(plan, scp_user)
    before = database_state()

    page = preview(scp, [upload(tmp_path, "decp.json", marches=[marche("A-1")])], plan=plan.pk)

    assert page.status_code == 200
    assert "est clos" in " ".join(page.context["form"].errors["plan"])
    assert "Rien n'a été enregistré" in text(page)
    assert database_state() == before


def test_a_plan_closed_between_preview_and_confirm_writes_nothing(scp, scp_user, plan, tmp_path):
    page = preview(scp, [upload(tmp_path, "decp.json", marches=[marche("A-1")])], plan=plan.pk)
    assert page.status_code == 200 and "Rien n'a encore été enregistré" in text(page)
    close(Plan.objects.get(pk=plan.pk), scp_user)
    before = database_state()

    done = confirm(scp, page)

    assert done.status_code == 302 and done["Location"] == reverse("admin:contracts_contract_import")
    assert "Import annulé : Le plan « SPASER 54 (2021-2026) » est clos" in text(scp.get(done["Location"]))
    assert database_state() == before and not Contract.objects.exists()


def test_the_command_refuses_a_closed_plan(plan, scp_user, tmp_path):
    close(plan, scp_user)
    path = tmp_path / "decp.json"
    path.write_bytes(upload(tmp_path, "decp.json", marches=[marche("A-1")]).read())
    before = database_state()

    with pytest.raises(CommandError, match="est clos"):
        call_command(
            "decp_import", str(path), "--plan", plan.slug, stdout=io.StringIO(), stderr=io.StringIO()
        )

    assert database_state() == before
