from django.core.management.base import BaseCommand, CommandError

from actions.models import Fiche, Plan
from actions.services import user_attach_to_pilot
from core import rights

ROLE_CHOICES = {"scp": rights.SCP_GROUP, "pilote": rights.PILOTS_GROUP, "comite": rights.COMMITTEE_GROUP}


class Command(BaseCommand):
    help = (
        "Crée un compte (ou complète un compte existant), lui donne un rôle et, pour un pilote, "
        "le rattache au poste de pilote d'une fiche."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", choices=sorted(ROLE_CHOICES), default="pilote")
        parser.add_argument("--fiche", type=int, help="Numéro de la fiche pilotée.")
        parser.add_argument(
            "--pilot-index", type=int, default=1, help="Rang du pilote dans la fiche (1 = premier pilote)."
        )
        parser.add_argument("--plan", help="Identifiant du plan (par défaut : le plan en vigueur).")
        parser.add_argument("--email", default="")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--password", help="Sans mot de passe, le compte ne peut pas se connecter.")

    def handle(self, *args, username, role, fiche, pilot_index, plan, **options):
        pilot = None
        if role == "pilote":
            if fiche is None:
                raise CommandError("Un pilote doit être rattaché à une fiche : --fiche N.")
            plan_obj = Plan.objects.filter(slug=plan).first() if plan else Plan.objects.current()
            if plan_obj is None:
                raise CommandError("Aucun plan chargé.")
            fiche_obj = Fiche.objects.filter(plan=plan_obj, number=fiche).first()
            if fiche_obj is None:
                raise CommandError(f"La fiche {fiche} n'existe pas dans {plan_obj}.")
            pilots = fiche_obj.ordered_pilots()
            if not 1 <= pilot_index <= len(pilots):
                raise CommandError(
                    f"La fiche {fiche} a {len(pilots)} pilote(s) : --pilot-index entre 1 et {len(pilots)}."
                )
            pilot = pilots[pilot_index - 1]
        user, created = user_attach_to_pilot(
            username=username,
            email=options["email"],
            first_name=options["first_name"],
            last_name=options["last_name"],
            password=options["password"],
            pilot=pilot,
            role_group=ROLE_CHOICES[role],
        )
        verb = "créé" if created else "déjà existant, mis à jour"
        where = f", pilote « {pilot} » (fiche {fiche})" if pilot else ""
        self.stdout.write(self.style.SUCCESS(f"Compte {username} {verb} : {ROLE_CHOICES[role]}{where}."))
