import datetime

from django.core.management.base import BaseCommand, CommandError

from notifications.tasks import notifications_send_digests


class Command(BaseCommand):
    help = (
        "Envoie les résumés quotidiens des notifications (un e-mail par personne) d'une journée, par "
        "défaut la veille, puis les notifications immédiates restées en attente. À lancer chaque jour "
        "par cron ; relancé, il n'envoie rien deux fois."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", default=None, help="Journée à résumer AAAA-MM-JJ (défaut : la veille).")

    def handle(self, *args, day, **options):
        if day:
            try:
                datetime.date.fromisoformat(day)
            except ValueError as exc:
                raise CommandError(f"Date invalide : {day} (attendu AAAA-MM-JJ).") from exc
        sent = notifications_send_digests(day)
        self.stdout.write(self.style.SUCCESS(f"{sent} résumé(s) envoyé(s)."))
