"""The audit archive of a plan's year: a zip of every current piece of evidence of its fiches, with a
manifest (CSV, validated by the Table Schema `schemas/manifest.json`, which the zip carries too).

Built in bounded memory whatever the files' total size: the zip is written to a temporary file, each
member copied from the storage (Django's storage API: a folder, or S3-compatible storage) in chunks,
its SHA-256 computed on the way; the job then saves the temporary file to its result through the
storage, in chunks too (jobs.services). Links are listed in the manifest, without a file.

Member names are safe for every unzip tool and file system: in a folder per fiche ("fiche-11/"),
ASCII letters, digits and a few signs only, no path, unique without regard to case ("x (2).pdf").
"""

import csv
import datetime
import hashlib
import io
import json
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.storage import default_storage
from django.utils import timezone

from actions.models import Plan
from core import values
from core.excel.files import neutralise
from core.people import person_name
from indicators.models import IndicatorValue

from .enums import EvidenceKind
from .models import Evidence

SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "manifest.json"
MANIFEST = "manifeste.csv"
MANIFEST_SCHEMA = "manifeste.schema.json"
CHUNK = 1 << 20
# Already compressed formats (PDF streams, office documents, images) are stored as they are: deflating
# them again costs time for nothing. Text (CSV) is deflated.
DEFLATED_TYPES = ("text/",)
WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
MISSING_FILE = "fichier introuvable dans le stockage : il n'est pas dans l'archive."
CHANGED_FILE = "l'empreinte du fichier diffère de celle enregistrée à son dépôt."


def manifest_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def safe_member_name(name: str) -> tuple[str, str]:
    """A file name as (stem, extension) that any unzip tool writes as is: ASCII (accents dropped), no
    folder, no sign a file system refuses, no reserved Windows name, 80 characters at most."""
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^A-Za-z0-9._ ()-]+", "_", name).strip(" ._")
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, extension = name, ""
    stem, extension = stem.strip(" ._")[:80] or "preuve", re.sub(r"[^A-Za-z0-9]", "", extension)[:10]
    if stem.upper() in WINDOWS_RESERVED:
        stem = f"_{stem}"
    return stem, f".{extension.lower()}" if extension else ""


def member_names(items: list[Evidence]) -> dict[int, str]:
    """Each file's name in the archive: in its fiche's folder, unique without regard to case."""
    used, names = set(), {}
    for item in items:
        if item.kind != EvidenceKind.FILE or not item.file:
            continue
        folder = f"fiche-{item.fiche.number:02d}"
        stem, extension = safe_member_name(item.file_name or Path(item.file.name).name)
        candidate, rank = f"{folder}/{stem}{extension}", 2
        while candidate.lower() in used:
            candidate, rank = f"{folder}/{stem} ({rank}){extension}", rank + 1
        used.add(candidate.lower())
        names[item.pk] = candidate
    return names


def archive_evidence(plan: Plan, year: int) -> list[Evidence]:
    """The plan's current evidence of `year`, by fiche then in the order it was added."""
    return list(
        Evidence.objects.current()
        .filter(fiche__plan=plan, year=year)
        .select_related("fiche", "indicator", "milestone", "added_by")
        .order_by("fiche__number", "added_at", "pk")
    )


def _value_labels(items: list[Evidence], year: int) -> dict[int, str]:
    """The value of each indicator the evidence supports, as the bilan writes it (one query)."""
    indicators = {item.indicator_id: item.indicator for item in items if item.indicator_id}
    stored = {
        v.indicator_id: v.raw for v in IndicatorValue.objects.filter(indicator_id__in=indicators, year=year)
    }
    return {pk: values.format_value(indicator, stored.get(pk)) for pk, indicator in indicators.items()}


@dataclass
class ArchiveSummary:
    files: int = 0
    links: int = 0
    missing: int = 0
    bytes: int = 0
    rows: list[dict] = field(default_factory=list)


def _row(plan: Plan, item: Evidence, value_labels: dict[int, str]) -> dict:
    is_link = item.kind == EvidenceKind.LINK
    return {
        "plan": plan.slug,
        "annee": item.year,
        "fiche": item.fiche.number,
        "fiche_intitule": item.fiche.title,
        "indicateur": item.indicator.code if item.indicator_id else "",
        "valeur": value_labels.get(item.indicator_id, ""),
        "jalon": (item.milestone.heading or item.milestone.text) if item.milestone_id else "",
        "titre": item.title,
        "nature": "lien" if is_link else "fichier",
        "fichier": "",
        "nom_du_fichier": "" if is_link else item.file_name,
        "lien": item.url if is_link else "",
        "type_de_contenu": "" if is_link else item.content_type,
        "taille_octets": 0 if is_link else item.size,
        "auteur": person_name(item.added_by),
        "date_du_document": item.dated.isoformat(),
        "ajoutee_le": timezone.localtime(item.added_at).isoformat(timespec="seconds"),
        "sha256": "",
        "empreinte_conforme": None,
        "remarque": "",
    }


def _zip_info(name: str, when: datetime.datetime, *, deflate: bool) -> zipfile.ZipInfo:
    local = timezone.localtime(when)
    info = zipfile.ZipInfo(name, date_time=(max(local.year, 1980), *local.timetuple()[1:6]))
    info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16  # a plain readable file once extracted
    return info


def _copy_member(archive: zipfile.ZipFile, item: Evidence, name: str, row: dict) -> int:
    """Copy the stored file into the archive in chunks, hashing it; the bytes copied (0: missing)."""
    try:
        source = default_storage.open(item.file.name, "rb")
    except (FileNotFoundError, OSError):
        row["empreinte_conforme"], row["remarque"] = False, MISSING_FILE
        return 0
    digest, copied = hashlib.sha256(), 0
    info = _zip_info(name, item.added_at, deflate=item.content_type.startswith(DEFLATED_TYPES))
    with source, archive.open(info, "w", force_zip64=True) as out:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            out.write(chunk)
            digest.update(chunk)
            copied += len(chunk)
    row["fichier"], row["sha256"] = name, digest.hexdigest()
    row["empreinte_conforme"] = row["sha256"] == item.sha256
    row["remarque"] = "" if row["empreinte_conforme"] else CHANGED_FILE
    return copied


def manifest_csv(rows: list[dict]) -> bytes:
    """The manifest: columns in the schema's order, UTF-8, text neutralised for spreadsheets."""
    fields = [(f["name"], f["type"]) for f in manifest_schema()["fields"]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _ in fields])
    for row in rows:
        cells = []
        for name, field_type in fields:
            value = row[name]
            if isinstance(value, bool):
                value = "true" if value else "false"
            cells.append("" if value is None else neutralise(str(value)) if field_type == "string" else value)
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def archive_build(*, plan: Plan, year: int, progress: Callable[[int, str], None]):
    """The zip of the plan's evidence of `year` as an open temporary file (at its start, deleted when
    closed: the caller closes it) and what it holds."""
    items = archive_evidence(plan, year)
    names, value_labels = member_names(items), _value_labels(items, year)
    total = sum(item.size for item in items if item.pk in names) or 1
    summary = ArchiveSummary()
    output = tempfile.NamedTemporaryFile(prefix="spaser-preuves-", suffix=".zip")  # noqa: SIM115
    try:
        with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            for item in items:
                row = _row(plan, item, value_labels)
                summary.rows.append(row)
                if item.pk not in names:
                    summary.links += 1
                    continue
                progress(5 + 90 * summary.bytes // total, f"Fiche {item.fiche.number} : « {item.title} »")
                copied = _copy_member(archive, item, names[item.pk], row)
                summary.bytes += copied
                summary.files += bool(row["fichier"])
                summary.missing += not row["fichier"]
            now = timezone.now()
            archive.writestr(_zip_info(MANIFEST, now, deflate=True), manifest_csv(summary.rows))
            archive.writestr(_zip_info(MANIFEST_SCHEMA, now, deflate=True), SCHEMA_PATH.read_bytes())
        output.seek(0)
    except BaseException:
        output.close()
        raise
    return output, summary
