"""The admin's pages beyond CRUD for the follow-up: the import of the values workbook (upload and
preview, then confirm), served by IndicatorValueAdmin's import URLs. The import itself is
values_workbook.values_import: the page shows what it says (its refusal of the plan next to the plan
field, its refusals per cell in the preview)."""

import re
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from actions.models import Plan
from core.excel import files

from . import values_workbook


class ValuesImportForm(forms.Form):
    plan = forms.ModelChoiceField(
        Plan.objects.order_by("-start_year"),
        required=False,
        label="Plan",
        empty_label="Le plan en vigueur",
        help_text="Le plan dont le classeur porte les valeurs.",
    )
    import_file = forms.FileField(
        label="Classeur Excel (.xlsx)",
        help_text="La feuille « Valeurs » telle que l'export la produit : une ligne par indicateur, "
        "une colonne par année. Une cellule vidée n'efface rien : écrivez « SUPPRIMER » pour "
        "supprimer une valeur.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].initial = Plan.objects.current()

    def clean_plan(self):
        # Whether the plan's state takes values is the import's to say (its `plan_refusal`, shown on
        # this field by the page).
        plan = self.cleaned_data["plan"] or Plan.objects.current()
        if plan is None:
            raise forms.ValidationError(
                "Aucun plan n'est chargé : il n'y a rien à quoi rattacher ces valeurs."
            )
        return plan


_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
_SESSION_KEY = "indicators_values_import"


def _pending_dir() -> Path:
    """Where a previewed file waits for its confirmation; previews abandoned for a day are swept."""
    path = Path(tempfile.gettempdir()) / "spaser-values-imports"
    path.mkdir(mode=0o700, exist_ok=True)
    stale = time.time() - 24 * 3600
    for old in path.glob("*.xlsx"):
        if old.stat().st_mtime < stale:
            old.unlink(missing_ok=True)
    return path


def _render(modeladmin, request, context):
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": "Importer des valeurs annuelles",
        **context,
    }
    return TemplateResponse(request, "admin/indicators/indicatorvalue/values_import.html", context)


def values_import_preview(modeladmin, request):
    """Step 1: upload, dry run, preview of new / changed / unchanged values (nothing written)."""
    if not modeladmin.has_import_permission(request):
        raise PermissionDenied
    form = ValuesImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _render(modeladmin, request, {"form": form})
    upload = form.cleaned_data["import_file"]
    try:
        data = files.read_upload(upload)
    except files.ExcelFileError as exc:
        result = values_workbook.ValuesImportResult(dry_run=True, file_error=str(exc))
    else:
        result = values_workbook.values_import(
            file=data, user=request.user, dry_run=True, plan=form.cleaned_data["plan"]
        )
    if result.plan_refusal:
        form.add_error("plan", forms.ValidationError(result.plan_refusal, code="plan_state"))
        return _render(modeladmin, request, {"form": form})
    token = ""
    if not result.has_errors:
        token = secrets.token_hex(16)
        (_pending_dir() / f"{token}.xlsx").write_bytes(data)
        request.session[_SESSION_KEY] = {
            "token": token,
            "name": upload.name,
            "plan": form.cleaned_data["plan"].pk,
        }
    return _render(
        modeladmin, request, {"form": form, "result": result, "token": token, "file_name": upload.name}
    )


def _pending(request) -> Path | None:
    pending = request.session.get(_SESSION_KEY) or {}
    token = request.POST.get("token", "")
    if not _TOKEN_RE.match(token) or pending.get("token") != token:
        return None
    path = _pending_dir() / f"{token}.xlsx"
    return path if path.exists() else None


def _forget(request, path: Path | None) -> None:
    request.session.pop(_SESSION_KEY, None)
    if path is not None:
        path.unlink(missing_ok=True)


def _changelist(opts) -> str:
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")


def values_import_confirm(modeladmin, request):
    """Step 2: confirm. The file is validated again against today's data, in one transaction."""
    return require_POST(lambda request: _confirm(modeladmin, request))(request)


def _confirm(modeladmin, request):
    if not modeladmin.has_import_permission(request):
        raise PermissionDenied
    path = _pending(request)
    if path is None:
        messages.error(request, "Cet aperçu d'import a expiré ou a déjà été confirmé : recommencez l'import.")
        return HttpResponseRedirect(reverse("admin:indicators_indicatorvalue_import"))
    if "cancel" in request.POST:
        _forget(request, path)
        messages.info(request, "Import abandonné : rien n'a été enregistré.")
        return HttpResponseRedirect(_changelist(modeladmin.model._meta))
    plan_pk = (request.session.get(_SESSION_KEY) or {}).get("plan")
    plan = Plan.objects.filter(pk=plan_pk).first() if plan_pk else None
    result = values_workbook.values_import(
        file=path.read_bytes(), user=request.user, dry_run=False, plan=plan
    )
    _forget(request, path)
    if result.has_errors:
        messages.error(
            request,
            "Import annulé, rien n'a été enregistré : les données ont changé depuis l'aperçu. "
            "Corrigez les erreurs ci-dessous puis relancez l'import.",
        )
        return _render(
            modeladmin, request, {"form": ValuesImportForm(), "result": result, "confirm_failed": True}
        )
    messages.success(
        request,
        f"Import terminé : {len(result.new)} valeur(s) ajoutée(s), {len(result.changed)} modifiée(s), "
        f"{len(result.deleted)} supprimée(s), {len(result.unchanged)} inchangée(s).",
    )
    return HttpResponseRedirect(_changelist(modeladmin.model._meta))
