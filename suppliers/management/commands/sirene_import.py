import datetime
import os
import zipfile

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from suppliers import services


def parse_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"Date illisible : « {value} » (AAAA-MM-JJ attendu). Rien n'a été écrit."
        ) from None


def text_size(path: str) -> int:
    """The CSV's size in bytes, inside its zip if zipped (for the progress bar)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return sum(member.file_size for member in archive.infolist())
    return os.path.getsize(path)


def user_named(by: str | None):
    user = User.objects.filter(username=by).first() if by else None
    if by and user is None:
        raise CommandError(f"Compte inconnu : « {by} ». Rien n'a été écrit.")
    return user


class Command(BaseCommand):
    # A 30-million-row stock starts without the system checks (they load every URL and view).
    requires_system_checks = []
    help = (
        "Importe les fichiers stock SIRENE de l'INSEE (StockUniteLegale, StockEtablissement ; CSV, zippé "
        "ou non), en ne gardant que les entreprises utiles à l'application (titulaires des contrats, "
        "acheteurs). Tout ou rien : un fichier qui n'est pas un stock SIRENE et rien n'est écrit."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="+", metavar="FICHIER", help="Fichiers stock SIRENE (.csv ou .zip)."
        )
        parser.add_argument(
            "--date",
            metavar="AAAA-MM-JJ",
            help="Date des données ; par défaut celle du nom du fichier, sinon aujourd'hui.",
        )
        parser.add_argument("--demo", action="store_true", help="Marquer comme données de démonstration.")
        parser.add_argument("--by", metavar="IDENTIFIANT", help="Compte au nom duquel importer.")

    def handle(self, *args, files, date=None, demo=False, by=None, **options):
        missing = [f for f in files if not os.path.isfile(f)]
        if missing:
            raise CommandError(f"Fichier introuvable : {', '.join(missing)}. Rien n'a été écrit.")
        source_date = parse_date(date) if date else None
        user = user_named(by)
        total = sum(text_size(f) for f in files)
        progress = tqdm(
            total=total, unit="o", unit_scale=True, desc="Lecture", disable=None, file=self.stderr._out
        )
        try:
            with progress:
                log = services.sirene_apply(
                    paths=files, source_date=source_date, user=user, is_demo=demo, on_bytes=progress.update
                )
        except services.NothingWanted as exc:
            raise CommandError(str(exc)) from exc
        except (services.SireneFormatError, PermissionDenied) as exc:
            raise CommandError(f"{exc} Rien n'a été écrit.") from exc
        *skipped, summary = services.import_summary(log)
        for line in skipped:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Import terminé : {summary}"))
