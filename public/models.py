"""What the public site's legal pages say: one record, set by SCP in the admin.

The accessibility statement (RGAA 4.1's model statement), the legal notice (LCEN, article 6) and
the personal data page (RGPD, articles 13 and 14) read it. Until SCP fills a field, its default says
what to write there ("[À compléter : ...]"), so that a page never states a fact nobody checked and
an unfilled field shows as such. What the application itself does (its purposes, the data it keeps,
its cookies) is written as a default SCP may reword.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from core.versioning import Versioned

from .enums import ConformityStatus

TO_FILL = "[À compléter"
HALF = Decimal(50)
ALL = Decimal(100)


def to_fill(what: str) -> str:
    return f"{TO_FILL} : {what}]"


PURPOSES = (
    "Piloter le schéma de promotion des achats publics socialement et écologiquement responsables "
    "(SPASER) : les agents pilotes des fiches-actions y saisissent chaque année l'avancement de leurs "
    "fiches et leurs indicateurs, que le service commande publique valide.\n\n"
    "Publier le schéma et son suivi annuel sur ce site public, en accès libre et en données ouvertes "
    "(article L2111-3 du code de la commande publique)."
)
LEGAL_BASIS = (
    "Le traitement est nécessaire à l'exécution d'une mission d'intérêt public dont est investi le "
    "responsable du traitement (article 6, paragraphe 1, point e, du RGPD) : l'adoption, le suivi et la "
    "publication du schéma de promotion des achats publics socialement et écologiquement responsables "
    "(article L2111-3 du code de la commande publique)."
)
DATA_PROCESSED = (
    "Comptes des agents qui utilisent l'outil de pilotage : nom, prénom, adresse électronique, "
    "identifiant, fiches-actions pilotées et rôle.\n\n"
    "Connexions : date de la dernière connexion ; journal des connexions et des tentatives de "
    "connexion (identifiant, adresse IP, navigateur, date), pour la sécurité des comptes.\n\n"
    "Historique des modifications : l'auteur et la date de chaque modification du plan et de son suivi.\n\n"
    "Le site public ne demande aucun compte et ne publie aucune donnée personnelle des agents."
)
COOKIES = (
    "Le site public ne dépose aucun cookie. L'espace agents utilise uniquement un cookie de session "
    "et un cookie de protection contre la falsification de requêtes (CSRF), strictement nécessaires à "
    "son fonctionnement et donc dispensés de consentement.\n\n"
    "Aucun outil de mesure d'audience, de publicité ou de suivi n'est utilisé."
)


class LegalInformationQuerySet(models.QuerySet):
    def current(self) -> "LegalInformation":
        """The site's record, or (none saved yet) a record holding the defaults, not saved."""
        return self.order_by("pk").first() or LegalInformation()


class LegalInformation(Versioned):
    """The site's one record of legal information (the admin offers no second one)."""

    # --- éditeur (LCEN) ------------------------------------------------------------------------------
    publisher = models.CharField(
        "éditeur du site", max_length=200, default=to_fill("nom de la collectivité qui édite le site")
    )
    publisher_address = models.TextField(
        "adresse de l'éditeur", default=to_fill("adresse postale de la collectivité")
    )
    publisher_contact = models.TextField(
        "contact de l'éditeur", default=to_fill("téléphone et adresse électronique de la collectivité")
    )
    publication_director = models.CharField(
        "directeur de la publication",
        max_length=200,
        default=to_fill("nom et fonction du directeur de la publication"),
    )
    host = models.CharField(
        "hébergeur", max_length=200, default=to_fill("nom ou raison sociale de l'hébergeur du site")
    )
    host_address = models.TextField(
        "adresse de l'hébergeur", default=to_fill("adresse postale et téléphone de l'hébergeur")
    )
    contact = models.TextField(
        "contact du site",
        default=to_fill("adresse électronique ou formulaire de contact pour les questions sur ce site"),
        help_text="Mentions légales et retour d'information de la déclaration d'accessibilité.",
    )
    # --- accessibilité (RGAA 4.1) ------------------------------------------------------------------
    conformity_status = models.CharField(
        "état de conformité",
        max_length=30,
        choices=ConformityStatus.choices,
        default=ConformityStatus.NOT,
        help_text="« non conforme » tant qu'un audit ne dit pas autre chose.",
    )
    conformity_rate = models.DecimalField(
        "taux de critères respectés (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Selon le dernier audit ; vide sans audit.",
    )
    audit_date = models.DateField("date de l'audit", null=True, blank=True)
    auditor = models.CharField(
        "audit réalisé par",
        max_length=200,
        blank=True,
        default=to_fill("organisme ou personne qui a réalisé l'audit, s'il a eu lieu"),
    )
    statement_date = models.DateField("date de la déclaration", null=True, blank=True)
    test_results = models.TextField(
        "résultats des tests",
        blank=True,
        default=to_fill(
            "résultats de l'audit (critères respectés, non applicables) ; à défaut, laisser ce champ vide"
        ),
    )
    non_compliance = models.TextField(
        "non-conformités", blank=True, default=to_fill("contenus non accessibles relevés par l'audit")
    )
    derogations = models.TextField(
        "dérogations pour charge disproportionnée",
        blank=True,
        default=to_fill("contenus dérogés et justification, ou « Aucune. »"),
    )
    exempt_content = models.TextField(
        "contenus non soumis à l'obligation d'accessibilité",
        blank=True,
        default=to_fill(
            "contenus exemptés (par exemple documents antérieurs au 23 septembre 2018), ou « Aucun. »"
        ),
    )
    technologies = models.TextField("technologies utilisées", default="HTML5, CSS, WAI-ARIA")
    test_environment = models.TextField(
        "environnement de test",
        default=to_fill(
            "combinaisons de navigateurs et de technologies d'assistance de l'audit, "
            "par exemple Firefox et NVDA"
        ),
    )
    audit_tools = models.TextField(
        "outils d'évaluation", default=to_fill("outils utilisés pour évaluer l'accessibilité")
    )
    audited_pages = models.TextField(
        "pages vérifiées", default=to_fill("pages de l'échantillon de l'audit, une par ligne")
    )
    # --- données personnelles (RGPD) -------------------------------------------------------------------
    controller = models.TextField(
        "responsable du traitement",
        default=to_fill("la collectivité responsable du traitement, son représentant et son adresse"),
    )
    purposes = models.TextField("finalités", default=PURPOSES)
    legal_basis = models.TextField("base légale", default=LEGAL_BASIS)
    data_processed = models.TextField("données traitées", default=DATA_PROCESSED)
    cookies = models.TextField("cookies et suivi", default=COOKIES)
    retention = models.TextField(
        "durées de conservation",
        default=to_fill(
            "durée de conservation des comptes (par exemple jusqu'au départ de l'agent), des "
            "journaux de connexion et de l'historique des modifications"
        ),
    )
    recipients = models.TextField(
        "destinataires",
        default=to_fill("services et sous-traitants (dont l'hébergeur) qui reçoivent les données"),
    )
    rights_contact = models.TextField(
        "exercice des droits", default=to_fill("adresse électronique ou postale où exercer ses droits")
    )
    dpo_contact = models.TextField(
        "délégué à la protection des données",
        default=to_fill("coordonnées du délégué à la protection des données"),
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    history = HistoricalRecords()

    objects = LegalInformationQuerySet.as_manager()

    class Meta:
        verbose_name = "informations légales du site"
        verbose_name_plural = "informations légales du site"

    def __str__(self):
        return "Informations légales du site"

    def clean(self):
        """The status follows the audit (RGAA: "totalement" = every criterion met, "partiellement" =
        at least half of them, and no status but "non conforme" without an audit)."""
        status, rate = self.conformity_status, self.conformity_rate
        if status == ConformityStatus.NOT:
            if rate is not None and rate >= HALF:
                raise ValidationError(
                    {
                        "conformity_rate": "Avec 50 % des critères ou plus, le site est "
                        "« partiellement conforme » (100 % : « totalement conforme »)."
                    }
                )
            return
        errors = {}
        if rate is None:
            errors["conformity_rate"] = "Indiquez le taux de critères respectés que l'audit a mesuré."
        elif status == ConformityStatus.FULL and rate != ALL:
            errors["conformity_rate"] = "« Totalement conforme » suppose 100 % des critères respectés."
        elif status == ConformityStatus.PARTIAL and not HALF <= rate < ALL:
            errors["conformity_rate"] = (
                "« Partiellement conforme » suppose de 50 % à moins de 100 % des critères respectés."
            )
        if self.audit_date is None:
            errors["audit_date"] = "Indiquez la date de l'audit qui établit cet état de conformité."
        if errors:
            raise ValidationError(errors)

    def fields_to_fill(self) -> list[str]:
        """The names of the fields still holding a "[À compléter : ...]" default."""
        return [
            str(field.verbose_name)
            for field in self._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField)
            and TO_FILL in (getattr(self, field.attname) or "")
        ]
