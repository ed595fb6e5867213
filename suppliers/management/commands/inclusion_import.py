import os

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from suppliers import services
from suppliers.enums import InclusionKind
from suppliers.management.commands.sirene_import import parse_date, user_named


class Command(BaseCommand):
    requires_system_checks = []
    help = (
        "Importe une liste d'inclusion (SIAE du marché de l'inclusion, EA et ESAT, GEIQ ; CSV) : elle "
        "remplace la liste de même nature. Tout ou rien : un fichier sans les colonnes attendues et rien "
        "n'est écrit ; une ligne sans SIRET lisible ou d'un type inconnu est ignorée et listée."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FICHIER", help="Liste au format CSV (séparateur ; ou ,).")
        parser.add_argument(
            "--kind",
            required=True,
            choices=InclusionKind.values,
            help="Nature de la liste : siae, ea_esat, geiq.",
        )
        parser.add_argument(
            "--source", required=True, metavar="TEXTE", help="Source de la liste (adresse, éditeur)."
        )
        parser.add_argument("--date", metavar="AAAA-MM-JJ", help="Date de la liste ; par défaut aujourd'hui.")
        parser.add_argument("--demo", action="store_true", help="Marquer comme données de démonstration.")
        parser.add_argument("--by", metavar="IDENTIFIANT", help="Compte au nom duquel importer.")

    def handle(self, *args, file, kind, source, date=None, demo=False, by=None, **options):
        if not os.path.isfile(file):
            raise CommandError(f"Fichier introuvable : {file}. Rien n'a été écrit.")
        source_date = parse_date(date) if date else None
        user = user_named(by)
        try:
            log = services.inclusion_apply(
                kind=kind, path=file, source=source, source_date=source_date, user=user, is_demo=demo
            )
        except (services.InclusionFormatError, PermissionDenied) as exc:
            message = str(exc)
            raise CommandError(
                message if "Rien n'a été écrit" in message else f"{message} Rien n'a été écrit."
            ) from exc
        *skipped, summary = services.import_summary(log)
        for line in skipped:
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Import terminé : {summary}"))
