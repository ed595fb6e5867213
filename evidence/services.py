"""Adding and removing a fiche-year's evidence: the only writers of `Evidence` (pages, admin, commands).

Both ask the rights module (the fiche's pilots and SCP) and the follow-up rule, as the values do: a
plan in preparation refuses, a validated year is locked until SCP reopens it, and a pilot writes
only while the year's campaign is open and the year not submitted (`workflow.require_editable`).

A file is checked by its content (`evidence.files`) before anything is written, stored through
Django's storage API under a generated name, and deleted again if the row cannot be written: a
refusal leaves neither a row nor a file. Removing keeps the row and its history (who, when), and
deletes the file from storage once the removal is committed.
"""

import datetime
import logging
from pathlib import PurePath
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from actions.models import Fiche, Indicator, Milestone
from core import rights
from core.versioning import save_claimed
from indicators import rules
from indicators.enums import ReviewStatus
from indicators.models import AnnualReview
from indicators.services.workflow import require_editable

from . import files
from .enums import EvidenceKind
from .models import Evidence

logger = logging.getLogger(__name__)

TITLE_MAX_LENGTH = Evidence._meta.get_field("title").max_length
URL_MAX_LENGTH = Evidence._meta.get_field("url").max_length
NOT_PILOT = "Vous ne pilotez pas cette fiche : vous ne pouvez pas en ajouter ni en retirer les preuves."


class EvidenceError(Exception):
    """The evidence may not be added or removed as asked; the message is French, `field` names the
    form field it is about (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)


def require_evidence_writable(*, fiche: Fiche, year: int, user) -> None:
    """May `user` add or remove evidence of this fiche-year now: the rights, then the follow-up rule
    (plan state, validated year), then the workflow (a pilot: open campaign, year not submitted)."""
    rights.require(rights.may_add_evidence(user, fiche), NOT_PILOT)
    if year not in fiche.plan.years:
        raise EvidenceError(f"L'année {year} n'appartient pas au plan {fiche.plan.period}.")
    review = AnnualReview.objects.filter(fiche=fiche, year=year).first()
    validated = {year} if review and review.status == ReviewStatus.VALIDATED else set()
    rules.require_follow_up(fiche=fiche, years=[year], validated=validated)
    require_editable(user=user, fiche=fiche, year=year, review=review)


def evidence_add(
    *,
    fiche: Fiche,
    year: int,
    user,
    title: str,
    dated: datetime.date | None,
    upload=None,
    url: str = "",
    indicator: Indicator | None = None,
    milestone: Milestone | None = None,
) -> Evidence:
    """Attach a file or a link to a fiche's year, and optionally to one of its indicators (that year's
    value) or milestones. Raises PermissionDenied, WorkflowError (follow-up rule) or EvidenceError."""
    require_evidence_writable(fiche=fiche, year=year, user=user)
    evidence = Evidence(
        fiche=fiche,
        year=year,
        title=_title(title),
        dated=_dated(dated),
        indicator=indicator,
        milestone=milestone,
        added_by=user,
    )
    _check_attachment(fiche=fiche, indicator=indicator, milestone=milestone)
    url = (url or "").strip()
    if bool(upload) == bool(url):
        raise EvidenceError("Joignez un fichier ou indiquez un lien (l'un ou l'autre).", "upload")
    if url:
        evidence.kind, evidence.url = EvidenceKind.LINK, _url(url)
        with transaction.atomic():
            save_claimed(evidence, seen=None, user=user)
        return evidence
    checked = _checked_file(fiche=fiche, year=year, upload=upload)
    evidence.kind = EvidenceKind.FILE
    evidence.file_name, evidence.content_type = checked.name, checked.type.content_type
    evidence.size, evidence.sha256 = checked.size, checked.sha256
    return _store(evidence, upload=upload, extension=PurePath(checked.name).suffix, user=user)


def evidence_remove(*, evidence: Evidence, user, seen_version: int | None) -> Evidence:
    """Remove a piece of evidence: its row and history stay (removed when, by whom), its file is
    deleted from storage once the removal is committed. `seen_version`: the version the page showed
    (core.versioning: StaleWrite if someone changed it since)."""
    with transaction.atomic():
        evidence = Evidence.objects.select_related("fiche__plan").get(pk=evidence.pk)
        if evidence.is_removed:
            raise EvidenceError(f"La preuve « {evidence.title} » a déjà été retirée.")
        require_evidence_writable(fiche=evidence.fiche, year=evidence.year, user=user)
        evidence.removed_at, evidence.removed_by = timezone.now(), user
        save_claimed(evidence, seen=seen_version, user=user)
        if evidence.file.name:
            name = evidence.file.name
            transaction.on_commit(lambda: _delete_stored(name))
    return evidence


def _title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise EvidenceError("Donnez un titre à la preuve.", "title")
    if len(title) > TITLE_MAX_LENGTH:
        raise EvidenceError(f"Le titre compte {len(title)} caractères : {TITLE_MAX_LENGTH} au plus.", "title")
    return title


def _dated(dated: datetime.date | None) -> datetime.date:
    if not isinstance(dated, datetime.date):
        raise EvidenceError("Indiquez la date du document (jj/mm/aaaa).", "dated")
    if dated > timezone.localdate() + datetime.timedelta(days=1):
        raise EvidenceError("La date du document ne peut pas être dans le futur.", "dated")
    return dated


def _check_attachment(*, fiche: Fiche, indicator: Indicator | None, milestone: Milestone | None) -> None:
    if indicator is not None and milestone is not None:
        raise EvidenceError(
            "Rattachez la preuve à un indicateur ou à une étape, pas aux deux.", "attached_to"
        )
    if indicator is not None and indicator.fiche_id != fiche.pk:
        raise EvidenceError(
            f"L'indicateur {indicator.code} n'est pas un indicateur de cette fiche.", "attached_to"
        )
    if milestone is not None and milestone.fiche_id != fiche.pk:
        raise EvidenceError("Cette étape du calendrier n'est pas une étape de cette fiche.", "attached_to")


def _url(url: str) -> str:
    if len(url) > URL_MAX_LENGTH:
        raise EvidenceError(f"Le lien compte {len(url)} caractères : {URL_MAX_LENGTH} au plus.", "url")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise EvidenceError(
            "Ce lien n'est pas une adresse web valide : elle doit commencer par https:// (ou http://).", "url"
        ) from None
    return url


def _checked_file(*, fiche: Fiche, year: int, upload) -> files.CheckedFile:
    try:
        checked = files.check_upload(upload, max_size=settings.EVIDENCE_MAX_FILE_SIZE)
    except files.FileRefused as refused:
        raise EvidenceError(str(refused), "upload") from None
    limit = settings.EVIDENCE_MAX_TOTAL_SIZE
    stored = Evidence.objects.of_fiche_year(fiche, year).current().aggregate(total=Sum("size"))["total"] or 0
    if stored + checked.size > limit:
        total, limit, stored = (files.megabytes(n) for n in (stored + checked.size, limit, stored))
        raise EvidenceError(
            f"Les fichiers de la fiche {fiche.number} pour {year} pèseraient {total} au total : la limite "
            f"est de {limit} ({stored} déjà déposés). Retirez une preuve devenue inutile ou déposez un lien.",
            "upload",
        )
    return checked


def _store(evidence: Evidence, *, upload, extension: str, user) -> Evidence:
    """Store the file under a generated name, then write the row; if the row is not written, the
    file is deleted again (no file without its row)."""
    stored = ""
    try:
        with transaction.atomic():
            evidence.file.save(f"{uuid4().hex}{extension}", upload, save=False)
            stored = evidence.file.name
            save_claimed(evidence, seen=None, user=user)
    except BaseException:
        if stored:
            _delete_stored(stored)
        raise
    return evidence


def _delete_stored(name: str) -> None:
    try:
        default_storage.delete(name)
    except Exception:  # the storage is down: the file stays, found later by `evidence_clean`
        logger.exception("Evidence file %s could not be deleted.", name)


def evidence_orphans_delete(*, older_than: datetime.timedelta = datetime.timedelta(hours=1)) -> list[str]:
    """Delete stored evidence files that no row names (a caller's transaction rolled back after the
    file was stored, or a deletion failed): the safety net behind the services. Files younger than
    `older_than` are left alone (their row may not be committed yet). Returns the deleted names."""
    known = set(
        Evidence.objects.exclude(file="").filter(removed_at__isnull=True).values_list("file", flat=True)
    )
    deleted = []
    cutoff = timezone.now() - older_than
    for name in _stored_names("evidence"):
        if name in known:
            continue
        try:
            modified = default_storage.get_modified_time(name)
        except (NotImplementedError, OSError):
            modified = None
        if modified is None or modified <= cutoff:
            _delete_stored(name)
            deleted.append(name)
    return deleted


def _stored_names(folder: str):
    try:
        folders, names = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in names:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _stored_names(f"{folder}/{sub}")
