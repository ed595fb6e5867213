"""Every service of the register that takes a user asks core.rights itself: a comité member or a pilot
calling it directly (a command, a task, a future API) gets the page's refusal, in French, and nothing is
written. A command run without a person still imports (the server's operator)."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from contracts import services
from contracts.models import Contract, ContractCorrection, DecpImport
from tests.contracts import files
from tests.contracts.files import BUYER, NO_ENV, NO_SOCIAL, marche, write_2022
from tests.utils import database_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def decp_file(spaser54, tmp_path):
    files.add_buyer(spaser54, BUYER)
    return write_2022(
        tmp_path / "decp-2025.json",
        marches=[marche("R-1", amount=100000, social=[NO_SOCIAL], environmental=[NO_ENV])],
    )


def run_command(path, *options):
    call_command("decp_import", str(path), *options, stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize("who", ["committee", "pilot", "other_pilot"])
@pytest.mark.parametrize("dry_run", [False, True])
def test_an_import_by_someone_else_than_scp_is_refused(role_users, decp_file, who, dry_run):
    before = database_state()
    with pytest.raises(PermissionDenied, match=r"^Seul le service commande publique importe des contrats"):
        services.decp_apply([str(decp_file)], buyers=[BUYER], user=role_users[who], dry_run=dry_run)
    assert database_state() == before


def test_scp_imports_as_itself_and_the_command_without_a_person_still_imports(role_users, decp_file):
    report = services.decp_apply([str(decp_file)], buyers=[BUYER], user=role_users["scp"])
    assert report.log.user == role_users["scp"]
    assert Contract.objects.get(uid=f"{BUYER}R-1").history.get().history_user == role_users["scp"]
    Contract.objects.all().delete()
    run_command(decp_file)
    assert Contract.objects.get(uid=f"{BUYER}R-1").history.first().history_user is None
    assert DecpImport.objects.order_by("-pk").first().user is None


def test_the_command_acting_for_a_person_gets_that_person_s_refusal(committee_user, scp_user, decp_file):
    before = database_state()
    with pytest.raises(CommandError, match=r"^Seul le service commande publique importe des contrats"):
        run_command(decp_file, "--by", "comite")
    assert database_state() == before
    with pytest.raises(CommandError, match="^Compte inconnu : « personne »"):
        run_command(decp_file, "--by", "personne")
    run_command(decp_file, "--by", "scp")
    assert Contract.objects.get(uid=f"{BUYER}R-1").history.get().history_user == scp_user


@pytest.mark.parametrize("who", ["committee", "pilot", "other_pilot"])
@pytest.mark.parametrize("excluded", [False, True])
def test_a_correction_by_someone_else_than_scp_is_refused(role_users, decp_file, who, excluded):
    services.decp_apply([str(decp_file)], buyers=[BUYER])
    contract = Contract.objects.get(uid=f"{BUYER}R-1")
    before = database_state()
    with pytest.raises(PermissionDenied, match=r"^Seul le service commande publique corrige le registre"):
        services.contract_correct(
            contract=contract,
            user=role_users[who],
            flags={"social_clause": True},
            excluded=excluded,
            reason="Clause sociale dans le CCAP.",
        )
    assert database_state() == before
    assert not ContractCorrection.objects.exists()
    contract.refresh_from_db()
    assert contract.social_clause is False
