from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from spaser.backup import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde (manage.py backup) dans une base neuve, créée par « manage.py migrate ». "
        "Tout ou rien : en cas d'erreur, rien n'est écrit."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="Fichier de sauvegarde (.json ou .json.gz)")

    def handle(self, *args, path, **options):
        try:
            counts = database_restore(path=Path(path))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        total = sum(counts.values())
        self.stdout.write(self.style.SUCCESS(f"Sauvegarde {path} restaurée : {total} lignes."))
