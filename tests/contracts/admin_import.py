"""The DECP import pages of the admin as a test drives them (tests/contracts/test_admin_views.py and
test_admin.py): upload, preview, confirm."""

import datetime
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from contracts import admin_views
from tests.contracts.files import BUYER, write_2022
from tests.utils import form_data

IMPORT_URL = "admin:contracts_contract_import"
CONFIRM_URL = "admin:contracts_contract_process_import"


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')


def upload(tmp_path: Path, name: str, data: bytes | None = None, **write) -> SimpleUploadedFile:
    """An uploaded file: `data` as is, or a 2022 file written with `write` (marches=, concessions=)."""
    if data is None:
        data = write_2022(tmp_path / name, **write).read_bytes()
    return SimpleUploadedFile(name, data, content_type="application/json")


def preview(client, uploads, **fields):
    return client.post(reverse(IMPORT_URL), {"files": uploads, **fields})


def confirm(client, page, button="confirm"):
    """Confirm (or abandon) the preview; the import's job runs once the request commits (eager queue)."""
    html = page.content.decode()
    data = form_data(html, form_id="decp-confirm")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse(CONFIRM_URL), {**data, button: "1"})


def pending_folders() -> set[str]:
    return {p.name for p in admin_views._pending_root().iterdir()}


def contract_values(contract_id: str, **values) -> dict:
    """A contract of the buyer as the register stores it, to create directly."""
    return {
        "uid": f"{BUYER}{contract_id}",
        "buyer_siret": BUYER,
        "contract_id": contract_id,
        "nature": "marche",
        "object": f"Objet du contrat {contract_id}",
        "notified_on": datetime.date(2025, 3, 12),
        "year": 2025,
        "initial_amount": Decimal("100000"),
        "current_amount": Decimal("100000"),
        "social": "aucune",
        "environmental": "aucune",
        "source_file": "decp.json",
        **values,
    }
