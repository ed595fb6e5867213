"""The contracts register's admin pages beyond CRUD: importing DECP files (SCP).

The files wait in a private temporary folder (never a served one), a dry run shows what would change,
and "Confirmer l'import" stores the files (storage API) and applies them in a background job, in one
transaction (contracts.jobs, `services.decp_apply`); the job's page says how it went. The upload page is
exempt from the middleware's CSRF check and protects itself (`decp_import`), after setting the
upload's size limit (`UploadLimit`): the limit must be in place before the check reads the request's
body (Django's documented pattern for upload handlers). ContractAdmin wires the pages (get_urls).
"""

import datetime
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_protect

from actions.models import Plan
from core import rights
from core.values import format_number, format_yes_no

from . import decp, services
from .enums import Considerations, Nature, RecordOutcome
from .jobs import decp_import_start
from .models import Contract


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); each is checked like one file."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".json,application/json"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else [data] if data else []
        if not items and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


_SIRET_SPLIT = re.compile(r"[\s,;]+")


class DecpImportForm(forms.Form):
    # The files come last: an upload stopped at the size limit keeps what was typed before it.
    field_order = ["plan", "sirets", "files"]

    files = MultipleFileField(
        label="Fichiers DECP (JSON)",
        help_text="Un ou plusieurs fichiers au format DECP 2022 ou 2019 : ceux du profil d'acheteur, ou le "
        "fichier consolidé national de data.gouv.fr (seuls les contrats des acheteurs retenus sont gardés).",
    )
    plan = forms.ModelChoiceField(
        Plan.objects.order_by("-start_year"),
        required=False,
        label="Acheteurs du plan",
        empty_label="Tous les plans",
        help_text="Les contrats gardés sont ceux des acheteurs (SIRET) de ce plan.",
    )
    sirets = forms.CharField(
        required=False,
        label="Ou ces SIRET",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
        help_text="Remplacent les acheteurs du plan : SIRET de 14 chiffres, séparés par des espaces, "
        "des virgules ou des retours à la ligne.",
    )

    def clean(self):
        cleaned = super().clean()
        sirets = [s for s in _SIRET_SPLIT.split(cleaned.get("sirets") or "") if s]
        try:
            cleaned["buyers"] = services.buyers_of(cleaned.get("plan"), sirets)
        except services.PlanStateRefused as exc:
            self.add_error("plan", str(exc))
        except services.NoBuyers as exc:
            if sirets:
                self.add_error("sirets", str(exc))
            else:
                self.add_error(
                    "plan",
                    "Aucun acheteur : renseignez le SIRET des acheteurs du plan (page du plan, "
                    "« acheteurs ») ou indiquez les SIRET à retenir ci-dessous.",
                )
        return cleaned


_SESSION_KEY = "contracts_decp_import"
_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
PREVIEW_ROWS = 200  # rows shown per list of the preview (the counts are always whole)


def _pending_root() -> Path:
    """Where uploaded files wait for their confirmation: private to this account (0700), outside any
    served folder; previews abandoned for a day are swept."""
    root = Path(tempfile.gettempdir()) / "spaser-decp-imports"
    root.mkdir(mode=0o700, exist_ok=True)
    stale = time.time() - 24 * 3600
    for old in root.iterdir():
        if old.stat().st_mtime < stale:
            shutil.rmtree(old, ignore_errors=True)
    return root


def _store(uploads) -> tuple[str, list[str]]:
    """Copy the uploads, chunk by chunk, into a folder of their own; returns its token and the paths.
    A copy that fails leaves nothing behind."""
    token = secrets.token_hex(16)
    folder = _pending_root() / token
    folder.mkdir(mode=0o700)
    paths = []
    try:
        for index, upload in enumerate(uploads):
            target = folder / f"{index}.json"
            with open(target, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            paths.append(str(target))
    except BaseException:
        _discard(token)
        raise
    return token, paths


def _discard(token: str) -> None:
    if _TOKEN_RE.match(token or ""):
        shutil.rmtree(_pending_root() / token, ignore_errors=True)


def _render(modeladmin, request, context):
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.opts,
        "title": "Importer des fichiers DECP",
        **context,
    }
    return TemplateResponse(request, "admin/contracts/contract/decp_import.html", context)


class UploadLimit(TemporaryFileUploadHandler):
    """Django's upload to a temporary file, stopped as soon as a file passes the size limit (settings
    DECP_UPLOAD_MAX_MB): nothing beyond it is written to disk, and the form says which file."""

    def __init__(self, request=None, limit: int = 0):
        super().__init__(request)
        self.limit = limit
        self.refused: str | None = None  # the name of the file that passed the limit

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.refused = self.file_name
            self.file.close()  # a temporary file: closing it removes it
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


def limit_uploads(request) -> UploadLimit:
    """Put the size limit before Django's own handlers; call before anything reads the request's body."""
    limit = UploadLimit(request, settings.DECP_UPLOAD_MAX_MB * 1024 * 1024)
    request.upload_handlers = [limit]
    return limit


def _too_large(name: str) -> str:
    return (
        f"« {Path(name).name} » dépasse la taille maximale d'un import par l'administration "
        f"({settings.DECP_UPLOAD_MAX_MB} Mo) : rien n'a été enregistré. Un fichier plus grand (le fichier "
        "national) s'importe par la commande « manage.py decp_import »."
    )


def decp_import(modeladmin, request):
    """The upload page as its URL reaches it (csrf_exempt there): the size limit first, then the CSRF
    check, which reads the body."""
    limit = limit_uploads(request)
    return csrf_protect(lambda checked: decp_import_view(modeladmin, checked, limit))(request)


def decp_import_view(modeladmin, request, limit: UploadLimit | None = None):
    """Step 1: upload, dry run, preview (new, changed with what changes, unchanged, skipped, doubtful).
    The uploaded copies are removed on every outcome but a preview waiting for its confirmation."""
    rights.require(rights.may_import_contracts(request.user), services.IMPORT_RIGHT)
    posted = request.method == "POST"
    form = DecpImportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial={"plan": Plan.objects.current()},
    )
    if limit is not None and limit.refused:
        form.is_valid()
        form.errors.pop("files", None)
        form.add_error("files", _too_large(limit.refused))
        return _render(modeladmin, request, {"form": form})
    if request.method != "POST" or not form.is_valid():
        return _render(modeladmin, request, {"form": form})
    uploads, buyers = form.cleaned_data["files"], form.cleaned_data["buyers"]
    names = [Path(upload.name).name for upload in uploads]
    try:
        token, paths = _store(uploads)
    except OSError:
        form.add_error("files", "Les fichiers n'ont pas pu être enregistrés sur le serveur : réessayez.")
        return _render(modeladmin, request, {"form": form})
    try:
        report = services.decp_apply(paths, buyers=buyers, user=request.user, dry_run=True, names=names)
    except decp.DecpFormatError as exc:
        _discard(token)
        form.add_error("files", f"{exc} Rien n'a été enregistré.")
        return _render(modeladmin, request, {"form": form})
    except BaseException:
        _discard(token)  # whatever happened, the copies do not stay behind
        raise
    _discard(request.session.get(_SESSION_KEY, {}).get("token", ""))  # a previous preview, abandoned
    plan = form.cleaned_data.get("plan")
    request.session[_SESSION_KEY] = {
        "token": token,
        "names": names,
        "buyers": buyers,
        "plan": plan.pk if plan else None,
    }
    return _render(modeladmin, request, {"preview": Preview.of(report), "token": token})


def decp_confirm_view(modeladmin, request):
    """Step 2: confirm (all or nothing, in one transaction) or abandon."""
    rights.require(rights.may_import_contracts(request.user), services.IMPORT_RIGHT)
    pending = request.session.get(_SESSION_KEY) or {}
    token = request.POST.get("token", "")
    folder = _pending_root() / token if _TOKEN_RE.match(token) else None
    if folder is None or pending.get("token") != token or not folder.is_dir():
        messages.error(request, "Cet aperçu d'import a expiré ou a déjà été confirmé : recommencez l'import.")
        return HttpResponseRedirect(reverse("admin:contracts_contract_import"))
    request.session.pop(_SESSION_KEY, None)
    if "cancel" in request.POST:
        _discard(token)
        messages.info(request, "Import abandonné : rien n'a été enregistré.")
        return HttpResponseRedirect(reverse("admin:contracts_contract_changelist"))
    paths = [str(folder / f"{index}.json") for index in range(len(pending["names"]))]
    plan = Plan.objects.filter(pk=pending.get("plan")).first() if pending.get("plan") else None
    try:
        services.buyers_of(plan, pending["buyers"])  # the plan may have been closed since the preview
    except services.PlanStateRefused as exc:
        _discard(token)
        messages.error(request, f"Import annulé : {exc}")
        return HttpResponseRedirect(reverse("admin:contracts_contract_import"))
    try:  # a minute for a national file: the import runs as a background job, its page meanwhile
        job = decp_import_start(
            paths=paths, names=pending["names"], buyers=pending["buyers"], plan=plan, user=request.user
        )
    except OSError:
        messages.error(
            request, "Les fichiers n'ont pas pu être enregistrés sur le serveur : recommencez l'import."
        )
        return HttpResponseRedirect(reverse("admin:contracts_contract_import"))
    finally:
        _discard(token)
    return HttpResponseRedirect(reverse("jobs:detail", args=[job.pk]))


# --- the preview ----------------------------------------------------------------------------------------

AMOUNT_FIELDS = {"initial_amount", "current_amount"}


def display_value(name: str, value) -> str:
    """A field's value as the preview shows it, in French."""
    if value is None or value == "" or value == []:
        return "—"
    if name in AMOUNT_FIELDS:
        return f"{format_number(value, 2)} €"
    if isinstance(value, bool):
        return format_yes_no(value)
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if name in ("social", "environmental"):
        return Considerations(value).label
    if name == "nature":
        return Nature(value).label
    if name == "published":
        return "(considérations publiées)"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, Decimal):
        return format_number(value)
    return str(value)


@dataclass
class PreviewRow:
    record: decp.Record
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # label, before, after

    @property
    def amount(self) -> str:
        if self.record.initial_amount is None:
            return f"« {self.record.initial.label} »" if self.record.initial.label else "—"
        return display_value("initial_amount", self.record.initial_amount)

    @property
    def notified_on(self) -> str:
        return display_value("notified_on", self.record.notified_on)


@dataclass
class Preview:
    report: services.ImportReport
    lists: dict[str, list[PreviewRow]]
    counts: dict[str, int]

    @classmethod
    def of(cls, report: services.ImportReport) -> "Preview":
        labels = {f.name: f.verbose_name for f in Contract._meta.get_fields() if hasattr(f, "verbose_name")}
        lists = {}
        for outcome in (RecordOutcome.NEW, RecordOutcome.CHANGED, RecordOutcome.UNCHANGED):
            lists[outcome] = [
                PreviewRow(
                    record,
                    [
                        (labels.get(name, name), display_value(name, old), display_value(name, new))
                        for name, old, new in report.changes.get(record.uid, [])
                    ],
                )
                for record in report.outcomes[outcome][:PREVIEW_ROWS]
            ]
        counts = {outcome: report.count(outcome) for outcome in RecordOutcome.values}
        return cls(report=report, lists=lists, counts=counts)

    @property
    def groups(self) -> list[tuple[str, int]]:
        return self.report.notice_groups()

    @property
    def new(self):
        return self.lists[RecordOutcome.NEW]

    @property
    def changed(self):
        return self.lists[RecordOutcome.CHANGED]

    @property
    def unchanged(self):
        return self.lists[RecordOutcome.UNCHANGED]

    @property
    def limit(self) -> int:
        return PREVIEW_ROWS
