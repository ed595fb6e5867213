"""`python manage.py bilan 2025 --output bilan-2025.pdf` for scripts and archives."""

import pytest
from django.core.management import CommandError, call_command

from reporting.services import bilan_publish
from tests.reporting.conftest import pdf_text, squash

pytestmark = pytest.mark.django_db


def test_command_writes_the_pdf_of_a_year(small_plan, tmp_path):
    output = tmp_path / "bilan-2025.pdf"
    call_command("bilan", "2025", "--output", str(output))
    text = squash(pdf_text(output.read_bytes()))
    assert "Bilan annuel 2025" in text and "Fiche 5 –" in text and "Fiche 11 –" in text


def test_command_writes_the_end_of_plan_pdf(small_plan, tmp_path):
    output = tmp_path / "fin.pdf"
    call_command("bilan", "fin-de-plan", "-o", str(output))
    text = squash(pdf_text(output.read_bytes()))
    assert "Bilan de fin de plan 2021-2026" in text and "2026" in text


def test_command_writes_the_published_version(small_plan, scp_user, tmp_path):
    published = bilan_publish(plan=small_plan, year=2024, user=scp_user)
    output = tmp_path / "publie.pdf"
    call_command("bilan", "2024", "--published", "--output", str(output))
    assert output.read_bytes() == bytes(published.pdf)


@pytest.mark.parametrize(
    "args, message",
    [
        (["2030"], "couvre les années 2021 à 2026, pas 2030"),
        (["deux-mille"], "Année « deux-mille » invalide"),
        (["2025", "--plan", "inconnu"], "Plan « inconnu » introuvable"),
        (["2025", "--published"], "Aucune version publiée"),
        (["2025", "--output", "/dossier/absent/bilan.pdf"], "Dossier introuvable"),
    ],
)
def test_command_errors_are_clear_and_write_nothing(small_plan, tmp_path, args, message, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CommandError, match=message):
        call_command("bilan", *args)
    assert list(tmp_path.iterdir()) == []
