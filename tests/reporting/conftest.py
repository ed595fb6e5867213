"""Helpers for the bilan's tests: the demo data set, a small plan, and reading a PDF back."""

import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from actions.models import Fiche, Plan
from indicators.demo import demo_load

DEMO_PATH = Path(settings.BASE_DIR) / "fixtures" / "demo" / "demo.yaml"


def pdf_text(pdf: bytes, *, layout: bool = False) -> str:
    """The PDF's text as poppler's pdftotext reads it (pages separated by form feeds)."""
    assert pdf.startswith(b"%PDF-"), "not a PDF"
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + ["-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()


def squash(text: str) -> str:
    """Whitespace collapsed: a title wrapped over two lines of the PDF still reads as one string."""
    return " ".join(text.split())


@pytest.fixture
def demo_plan(spaser54) -> Plan:
    """The real plan with the demo values (validated 2021-2024, partial 2025)."""
    demo_load(path=DEMO_PATH)
    return spaser54


@pytest.fixture
def small_plan(spaser54) -> Plan:
    """The real plan cut down to fiches 5 and 11 (those of the role fixtures): quick PDFs."""
    Fiche.objects.filter(plan=spaser54).exclude(number__in=[5, 11]).delete()
    return spaser54
