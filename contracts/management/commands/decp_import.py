import os

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from actions.models import Plan
from contracts import services
from contracts.decp import DecpFormatError
from contracts.enums import RecordOutcome


class Command(BaseCommand):
    # The system checks load every URL and view: a second for nothing here (`manage.py check` and the
    # web server run them); a national import, or a hostile file's refusal, starts without them.
    requires_system_checks = []
    help = (
        "Importe les données essentielles des contrats (DECP, format 2022 ou 2019) des acheteurs du plan "
        "dans le registre des contrats. Tout ou rien : un fichier qui n'est pas au format DECP et rien "
        "n'est écrit ; un contrat non conforme est ignoré et listé."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FICHIER", help="Fichiers DECP (JSON).")
        parser.add_argument(
            "--buyer",
            action="append",
            default=[],
            metavar="SIRET",
            help="SIRET d'un acheteur à retenir (répétable) ; par défaut, les acheteurs des plans.",
        )
        parser.add_argument("--plan", metavar="SLUG", help="Ne retenir que les acheteurs de ce plan.")
        parser.add_argument("--dry-run", action="store_true", help="Montrer ce qui changerait, sans écrire.")
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Marquer les contrats importés comme données de démonstration.",
        )
        parser.add_argument(
            "--by",
            metavar="IDENTIFIANT",
            help="Compte au nom duquel importer (ses droits, et l'historique) ; par défaut, l'exploitant "
            "du serveur.",
        )

    def handle(self, *args, files, buyer, plan, dry_run, demo, by=None, **options):
        missing = [f for f in files if not os.path.isfile(f)]
        if missing:
            raise CommandError(f"Fichier introuvable : {', '.join(missing)}. Rien n'a été écrit.")
        user = User.objects.filter(username=by).first() if by else None
        if by and user is None:
            raise CommandError(f"Compte inconnu : « {by} ». Rien n'a été écrit.")
        try:
            chosen_plan = Plan.objects.get(slug=plan) if plan else None
            buyers = services.buyers_of(chosen_plan, buyer)
        except Plan.DoesNotExist:
            raise CommandError(f"Plan inconnu : « {plan} ».") from None
        except services.NoBuyers as exc:
            raise CommandError(str(exc)) from exc
        total = sum(os.path.getsize(f) for f in files)
        with tqdm(
            total=total, unit="o", unit_scale=True, desc="Lecture", disable=None, file=self.stderr._out
        ) as bar:
            try:
                report = services.decp_apply(
                    files, buyers=buyers, user=user, dry_run=dry_run, is_demo=demo, on_bytes=bar.update
                )
            except (DecpFormatError, PermissionDenied) as exc:
                raise CommandError(f"{exc} Rien n'a été écrit.") from exc
        self._report(report)

    def _report(self, report: services.ImportReport) -> None:
        """Every record skipped or kept with a doubt, each with its file, id and reason; then the counts."""
        for skipped in report.skipped:
            self.stdout.write(
                f"Ignoré : {skipped.source_file}, contrat « {skipped.contract_id} » "
                f"(acheteur {skipped.buyer_siret}) : {skipped.reason}."
            )
        for notice in report.notices:
            self.stdout.write(
                f"À vérifier : {notice.source_file}, contrat « {notice.contract_id} » "
                f"(acheteur {notice.buyer_siret}) : {notice.detail}."
            )
        for group, count in report.notice_groups():
            self.stdout.write(f"{group} : {count} contrat{'s' if count > 1 else ''}")
        prefix = "Simulation (rien n'a été écrit) : " if report.dry_run else "Import terminé : "
        self.stdout.write(self.style.SUCCESS(prefix + report.summary))
        if report.count(RecordOutcome.SKIPPED):
            self.stdout.write(
                self.style.WARNING(
                    f"{report.count(RecordOutcome.SKIPPED)} contrat(s) non conforme(s) ignoré(s)."
                )
            )
