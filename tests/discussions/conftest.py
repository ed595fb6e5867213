"""Fiche 11's discussions: threads opened through the services (tests/factories.py is not used here),
a piece of evidence to talk about."""

import datetime

import pytest
from django.urls import reverse

from discussions.services import thread_open
from evidence.enums import EvidenceKind
from evidence.models import Evidence


def threads_url(fiche, year: int = 2025) -> str:
    return reverse("discussions:threads", args=[fiche.plan.slug, fiche.number, year])


def action_url(thread, action: str) -> str:
    fiche = thread.fiche
    return reverse(
        "discussions:thread_action", args=[fiche.plan.slug, fiche.number, thread.year, thread.pk, action]
    )


def link_evidence(fiche, year: int, user, title: str = "Compte rendu du comité") -> Evidence:
    """A piece of evidence given as a link (no file to store)."""
    return Evidence.objects.create(
        fiche=fiche,
        year=year,
        title=title,
        kind=EvidenceKind.LINK,
        url="https://example.org/compte-rendu.pdf",
        dated=datetime.date(2025, 6, 1),
        added_by=user,
    )


@pytest.fixture
def thread(fiche11, pilot11):
    """A thread on fiche 11's 2025 year, opened by its pilot about indicator 11-R1."""
    meetings = fiche11.indicators.get(code="11-R1")
    return thread_open(
        fiche=fiche11,
        year=2025,
        user=pilot11,
        subject="",
        body="D'où vient le chiffre de 17 réunions ?",
        indicator=meetings,
    )
