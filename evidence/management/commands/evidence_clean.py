"""Delete stored evidence files that no row names (a rolled-back upload, a failed deletion): run daily."""

import datetime

from django.core.management.base import BaseCommand

from evidence.services import evidence_orphans_delete


class Command(BaseCommand):
    help = "Supprime du stockage les fichiers de preuves qu'aucune preuve en cours ne référence."

    def add_arguments(self, parser):
        parser.add_argument(
            "--hours", type=int, default=1, help="Âge minimal d'un fichier supprimé (heures)."
        )

    def handle(self, *args, hours: int, **options):
        deleted = evidence_orphans_delete(older_than=datetime.timedelta(hours=hours))
        self.stdout.write(f"{len(deleted)} fichier(s) sans preuve supprimé(s).")
