"""Old and new side by side, on the page and in Excel (read back with openpyxl)."""

import io
from html import unescape

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from actions import enums
from actions.models import Objective
from planning import enums as planning_enums
from planning.services import fiche_add_new, fiche_decide
from tests.planning.conftest import decision_of

pytestmark = pytest.mark.django_db

D = planning_enums.FicheDecision


@pytest.fixture
def decided(next_plan, scp_user):
    """Fiche 2 modified, 4 abandoned, 9 completed, 13 merged into 12 (indicators continued), 22 new."""

    def decide(number, value, reason, into=None, **kwargs):
        decision = decision_of(next_plan, number)
        fiche_decide(
            decision=decision,
            decision_value=value,
            reason=reason,
            into=into,
            user=scp_user,
            seen_version=decision.version,
            **kwargs,
        )

    decide(2, D.MODIFIED, "Élargie aux travaux")
    decide(4, D.ABANDONED, "Sans objet")
    decide(9, D.COMPLETED, "Objectif atteint")
    decide(13, D.MERGED, "Regroupée", into=decision_of(next_plan, 12).fiche, continue_indicators=True)
    objective = Objective.objects.filter(axis__plan=next_plan).order_by("pk").first()
    fiche_add_new(plan=next_plan, number=22, title="Denrées locales", objective=objective, user=scp_user)
    return next_plan


def test_the_comparison_page_lists_each_kind_with_counts(client, decided, committee_user):
    client.force_login(committee_user)
    page = unescape(client.get(reverse("planning:comparison", args=[decided.slug])).content.decode())
    counts = page[page.index('id="synthese"') : page.index("</table>", page.index('id="synthese"'))]
    for label, count in [
        ("Reconduite</th><td>", 17),
        ("Reconduite et modifiée</th><td>", 1),
        ("Fusionnée dans une autre fiche</th><td>", 1),
        ("Achevée</th><td>", 1),
        ("Abandonnée</th><td>", 1),
        ("Fiches nouvelles</th><td>", 1),
    ]:
        assert f"{label}{count}</td>" in counts, label
    merged = page[page.index('id="fusionnee"') :].split("</section>")[0]
    assert "13 – " in merged and "12 – " in merged and "Regroupée" in merged
    assert "22 – Denrées locales" in page[page.index('id="nouvelles"') :].split("</section>")[0]
    continued = page[page.index('id="indicateurs-prolonges"') :].split("</section>")[0]
    assert "13-R1" in continued and "(fiche 13)" in continued


def test_the_excel_export_holds_the_same_content(client, decided, scp_user):
    client.force_login(scp_user)
    response = client.get(reverse("planning:comparison_xlsx", args=[decided.slug]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Synthèse", "Fiches", "Indicateurs"]
    summary = dict(list(workbook["Synthèse"].iter_rows(values_only=True))[1:])
    assert summary["Reconduite"] == 17 and summary["Fusionnée dans une autre fiche"] == 1
    assert summary["Fiches nouvelles"] == 1 and summary["Indicateurs prolongés"] > 0
    fiches = list(workbook["Fiches"].iter_rows(values_only=True))
    assert fiches[0][:2] == ("Décision", "N° 2021-2026")
    by_old = {row[1]: row for row in fiches[1:] if row[1] is not None}
    assert by_old[13][0] == "Fusionnée dans une autre fiche" and by_old[13][3] == 12
    assert by_old[4][0] == "Abandonnée" and by_old[4][3] is None and by_old[4][5] == "Sans objet"
    assert ("Fiche nouvelle", None, None, 22, "Denrées locales", None) in fiches
    indicators = list(workbook["Indicateurs"].iter_rows(values_only=True))
    assert any(row[0] == "Prolongé" and row[5] == "13-R1" and row[1] == 12 for row in indicators)


@pytest.mark.parametrize(("role", "status"), [("pilot", 404), ("committee", 200), ("scp", 200)])
def test_rights_on_the_comparison_while_in_preparation(client, next_plan, role_users, role, status):
    client.force_login(role_users[role])
    assert client.get(reverse("planning:comparison", args=[next_plan.slug])).status_code == status
    assert client.get(reverse("planning:comparison_xlsx", args=[next_plan.slug])).status_code == status


def test_pilots_read_the_comparison_once_the_plan_is_in_force(client, next_plan, pilot11):
    next_plan.state = enums.PlanState.IN_FORCE
    next_plan.save()
    client.force_login(pilot11)
    assert client.get(reverse("planning:comparison", args=[next_plan.slug])).status_code == 200
    # Still no export for pilots, and no decision page.
    assert client.get(reverse("planning:comparison_xlsx", args=[next_plan.slug])).status_code == 403
    assert client.get(reverse("planning:decisions", args=[next_plan.slug])).status_code == 404
