"""Preparing the next plan (and deciding its fiches) leaves the old plan's bilans exactly as they were:
their data as built live, the published versions' frozen data and PDF bytes, and their pages."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from actions import enums
from indicators.demo import demo_load
from planning import enums as planning_enums
from reporting.models import PublishedBilan
from reporting.selectors import bilan_build
from reporting.services import bilan_publish
from tests.conftest import DEMO_PATH
from tests.planning.conftest import NEW_SLUG, decision_of, decisions_url
from tests.utils import form_data

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2027, 2, 15, 10, 0))


def without_tokens(page: bytes) -> bytes:
    """The page without its CSRF tokens (masked afresh on every request)."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page)


def snapshot(plan):
    published = {
        b.pk: (b.data, bytes(b.pdf), b.sha256)
        for b in PublishedBilan.objects.filter(plan=plan).order_by("pk")
    }
    return {
        "2024": bilan_build(plan=plan, year=2024, now=NOW),
        "final": bilan_build(plan=plan, year=None, now=NOW),
        "published": published,
    }


def test_preparing_and_deciding_leave_the_old_bilans_unchanged(client, spaser54, scp_user):
    demo_load(path=DEMO_PATH)
    published = bilan_publish(plan=spaser54, year=2024, user=scp_user)
    client.force_login(scp_user)
    page_before = client.get(
        reverse("reporting:published_detail", args=[spaser54.slug, published.pk])
    ).content
    before = snapshot(spaser54)
    assert before["final"]["axes"] and before["published"][published.pk][1].startswith(b"%PDF-")

    url = reverse("planning:prepare_next", args=[spaser54.slug])
    data = {k: v[0] for k, v in form_data(client.get(url).content.decode(), "preparer").items()}
    data |= {"slug": NEW_SLUG, "title": "SPASER 2027-2032"}
    assert client.post(url, data).status_code == 302
    new = spaser54.successors.get()
    # Decide a few fiches too: the old fiches are read, never written.
    page = client.get(decisions_url(new)).content.decode()
    for number, value in (
        (3, planning_enums.FicheDecision.ABANDONED),
        (12, planning_enums.FicheDecision.MODIFIED),
    ):
        start = page.index(f'id="decision-{number}"')
        fields = {k: v[0] for k, v in form_data(page[start:]).items()}
        fields |= {f"f{number}-decision": value, f"f{number}-reason": "Décidé en comité"}
        assert client.post(decisions_url(new), fields).status_code == 302
        page = client.get(decisions_url(new)).content.decode()

    spaser54.refresh_from_db()
    assert spaser54.state == enums.PlanState.IN_FORCE and spaser54.version == 1
    assert snapshot(spaser54) == before
    page_after = client.get(reverse("reporting:published_detail", args=[spaser54.slug, published.pk])).content
    # The page's content (the header's plan switcher now also lists the draft, for SCP).
    main = lambda page: page[page.index(b"<main") : page.index(b"</main>")]  # noqa: E731
    assert without_tokens(main(page_after)) == without_tokens(main(page_before))
    # The new plan holds the fiches with their decisions.
    assert decision_of(new, 3).decision == planning_enums.FicheDecision.ABANDONED
    assert decision_of(new, 12).fiche.plan == new
    assert new.fiches.count() == 20
