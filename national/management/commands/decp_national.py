import datetime
import os

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from contracts.decp import DecpFormatError
from national import services

DEFAULT_LABEL = "DECP consolidées (data.gouv.fr)"


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Date invalide : « {text} » (AAAA-MM-JJ attendu).") from None


class Command(BaseCommand):
    requires_system_checks = []  # as decp_import: a national file's computation starts without them
    help = (
        "Calcule, pour chaque acheteur et chaque année, les indicateurs légaux des DECP consolidées "
        "nationales (format 2022 ou 2019), avec les règles du registre des contrats, pour la comparaison "
        "nationale. Tout ou rien : un fichier qui n'est pas au format DECP et rien n'est écrit."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FICHIER", help="Fichiers DECP consolidés (JSON).")
        parser.add_argument(
            "--label", default=DEFAULT_LABEL, help="La source des données, telle qu'affichée."
        )
        parser.add_argument(
            "--date", help="Date des données (AAAA-MM-JJ) ; par défaut, celle du dernier fichier modifié."
        )
        parser.add_argument("--demo", action="store_true", help="Données de démonstration.")
        parser.add_argument("--by", metavar="IDENTIFIANT", help="Compte au nom duquel calculer.")

    def handle(self, *args, files, label, date, demo, by=None, **options):
        missing = [f for f in files if not os.path.isfile(f)]
        if missing:
            raise CommandError(f"Fichier introuvable : {', '.join(missing)}. Rien n'a été écrit.")
        user = User.objects.filter(username=by).first() if by else None
        if by and user is None:
            raise CommandError(f"Compte inconnu : « {by} ». Rien n'a été écrit.")
        source_date = (
            _date(date) if date else datetime.date.fromtimestamp(max(os.path.getmtime(f) for f in files))
        )
        total = sum(os.path.getsize(f) for f in files)
        with tqdm(
            total=total, unit="o", unit_scale=True, desc="Lecture", disable=None, file=self.stderr._out
        ) as bar:
            try:
                dataset = services.national_compute(
                    paths=files,
                    label=label,
                    source_date=source_date,
                    user=user,
                    is_demo=demo,
                    on_bytes=bar.update,
                )
            except (DecpFormatError, PermissionDenied, services.NationalRefused) as exc:
                raise CommandError(f"{exc} Rien n'a été écrit.") from exc
        for item in dataset.skipped:
            self.stdout.write(
                f"Ignoré : {item['file']}, contrat « {item['id']} » (acheteur {item['buyer']}) : "
                f"{item['reason']}."
            )
        if dataset.skipped_count > len(dataset.skipped):
            self.stdout.write(f"… et {dataset.skipped_count - len(dataset.skipped)} autres contrats ignorés.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Calcul national terminé : {dataset.read} contrats lus, {dataset.counted} comptés "
                f"(publications multiples réunies), {dataset.buyers} acheteurs, "
                f"{dataset.skipped_count} ignorés, {dataset.no_buyer} sans acheteur identifiable "
                f"({dataset.seconds} s)."
            )
        )
