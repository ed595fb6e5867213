"""The evidence in the admin: read-only, removed only through the service (the row and history kept)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from evidence.models import Evidence
from tests.evidence.conftest import add_file, stored_files

pytestmark = pytest.mark.django_db


def test_scp_lists_reads_and_removes_through_the_service(
    client, campaign2025, fiche11, pilot11, scp_user, media, django_capture_on_commit_callbacks
):
    evidence = add_file(fiche11, pilot11, title="PV ZQ-admin")
    client.force_login(scp_user)
    changelist = reverse("admin:evidence_evidence_changelist")
    assert "PV ZQ-admin" in client.get(changelist, {"q": "ZQ-admin"}).content.decode()
    page = client.get(reverse("admin:evidence_evidence_change", args=[evidence.pk])).content.decode()
    assert reverse("evidence:download", args=[fiche11.plan.slug, 11, evidence.pk]) in page
    assert 'name="title"' not in page  # read-only
    assert client.get(reverse("admin:evidence_evidence_delete", args=[evidence.pk])).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist, {"action": "remove", "_selected_action": [evidence.pk]}, follow=True
        )
    assert "1 preuve(s) retirée(s)" in response.content.decode()
    evidence.refresh_from_db()
    assert evidence.removed_by == scp_user and stored_files(media) == []
    assert evidence.history.first().history_user == scp_user


def test_the_clean_command_deletes_only_files_no_row_names(campaign2025, fiche11, pilot11, media, capsys):
    kept = add_file(fiche11, pilot11)
    orphan = media / "evidence" / "2020" / "01" / "0123456789abcdef0123456789abcdef.pdf"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"%PDF-1.4 orphan")
    call_command("evidence_clean", "--hours", "0")
    assert "1 fichier(s) sans preuve supprimé(s)" in capsys.readouterr().out
    assert stored_files(media) == [media / kept.file.name] and Evidence.objects.get() == kept
