"""The live bilan's PDF is rendered once per state of the data (reporting.caching.live_bilan_pdf).

The second download of an unchanged bilan is the stored copy; any edit -- a value saved by a pilot on
the entry page, or by SCP in the admin -- makes the next download a fresh rendering that shows it.
Real WeasyPrint renderings of SPASER 54 cut down to two fiches (`small_plan`), read back with pdftotext.

WeasyPrint writes the same bytes for the same HTML, and the bilan states its creation time to the
minute only: identical bytes alone cannot tell a stored copy from a second rendering. So the test also
swaps the stored copy for a marked one, which only a download served from the cache can return.
"""

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from actions.models import Fiche, Indicator
from core import rights
from core.caching import SHARED, data_version, stamped_key
from indicators.models import IndicatorValue
from tests.conftest import SPASER54
from tests.factories import CampaignFactory, user_in_role
from tests.reporting.conftest import pdf_text, squash
from tests.utils import form_data, get_through_job

pytestmark = pytest.mark.django_db

YEAR = 2025
PDF_URL = reverse("reporting:bilan_pdf", args=[SPASER54, YEAR])


@pytest.fixture(autouse=True)
def _empty_shared_cache():
    """The PDFs live in the shared cache, which outlives a test's rolled-back transaction."""
    caches[SHARED].clear()
    yield
    caches[SHARED].clear()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def download(client: Client, etags: list[str] | None = None) -> bytes:
    """The PDF link as a person follows it: the stored copy at once, or a background job's result."""
    response = get_through_job(client, PDF_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    if etags is not None:
        etags.append(response["ETag"])
    return response.content


def stored_copy_key(plan) -> str:
    return stamped_key("bilan-pdf", plan.pk, YEAR, version=data_version())


def meetings_row(pdf: bytes) -> str:
    """The line of indicator 11-R1 (Nombre de réunions) in the PDF's text."""
    return next(line for line in pdf_text(pdf, layout=True).splitlines() if "11-R1" in line)


def test_the_second_download_is_the_stored_copy_and_an_edit_renders_afresh(small_plan):
    committee = logged_in(user_in_role(rights.COMMITTEE_GROUP))
    etags: list[str] = []
    first = download(committee)  # rendered by a background job (the job's page, then its file)
    assert "Fiche 11" in squash(pdf_text(first))

    second = download(committee, etags)  # served at once: the stored copy

    assert second == first
    assert download(committee, etags) == first
    assert etags[0] == etags[1]  # the ETag names the state of the data
    key = stored_copy_key(small_plan)
    assert caches[SHARED].get(key) == first
    marked = first + b"\n%copie-en-cache\n"
    caches[SHARED].set(key, marked)
    assert download(committee) == marked  # served from the cache, not rendered again

    # A pilot saves a value on the entry page: the next download is a new rendering that shows it.
    fiche = Fiche.objects.get(plan=small_plan, number=11)
    meetings = Indicator.objects.get(fiche=fiche, code="11-R1")
    CampaignFactory(plan=small_plan, year=YEAR)
    pilot = logged_in(user_in_role(rights.PILOTS_GROUP, pilot_of=fiche))
    entry = reverse("indicators:entry", args=[small_plan.slug, fiche.number, YEAR])
    data = form_data(pilot.get(entry).content.decode(), "saisie") | {f"value_{meetings.pk}": "777"}
    assert pilot.post(entry, data).status_code == 302

    after_entry = download(committee, etags)

    assert etags[-1] != etags[0]
    assert after_entry not in (first, marked)
    assert "777" in meetings_row(after_entry) and "777" not in meetings_row(first)
    assert download(committee) == after_entry

    # SCP corrects it in the admin: again a new rendering.
    value = IndicatorValue.objects.get(indicator=meetings, year=YEAR)
    scp = logged_in(user_in_role(rights.SCP_GROUP))
    change = reverse("admin:indicators_indicatorvalue_change", args=[value.pk])
    data = form_data(scp.get(change).content.decode(), "indicatorvalue_form") | {"value_number": "555"}
    assert scp.post(change, data).status_code == 302

    after_admin = download(committee)

    row = meetings_row(after_admin)
    assert "555" in row and "777" not in row
    assert download(committee) == after_admin
