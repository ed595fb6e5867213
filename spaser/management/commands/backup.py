from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from spaser.backup import BackupError, database_backup


class Command(BaseCommand):
    help = "Sauvegarde toutes les données dans un fichier JSON (.json, ou .json.gz compressé)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", required=True, help="Fichier à écrire, par exemple sauvegarde.json.gz"
        )

    def handle(self, *args, output, **options):
        try:
            counts = database_backup(path=Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        total = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde écrite dans {output} : {total} lignes."))
