"""A background job: what to do (kind, params), where it stands, and what came of it.

No django-simple-history here, on purpose: nobody edits a job, the worker moves it along, and every
history record draws a new data version (actions.apps), which would throw away every cached page
at each progress step. The job keeps its own history: created, started and finished times, the
number of attempts and, on failure, the French message.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .enums import ACTIVE, JobStatus


class JobQuerySet(models.QuerySet):
    def active(self):
        """Queued or running: the one job of a dedup key that may be joined."""
        return self.filter(status__in=ACTIVE)

    def reusable(self, *, dedup_key: str, data_version: str):
        """Succeeded jobs of this key whose result was built from this very state of the data."""
        return self.filter(
            dedup_key=dedup_key, data_version=data_version, status=JobStatus.SUCCEEDED
        ).exclude(result="")


class Job(models.Model):
    kind = models.CharField("type", max_length=60)
    params = models.JSONField("paramètres", default=dict, blank=True)
    # Two requests for the same work share one job while it is queued or running (the constraint
    # below makes it so even when they arrive at the same instant).
    dedup_key = models.CharField("clé de dédoublonnage", max_length=200, db_index=True)
    data_version = models.CharField("version des données", max_length=100, blank=True)
    title = models.CharField("intitulé", max_length=200)
    status = models.CharField("état", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("avancement (%)", default=0)
    step = models.CharField("étape", max_length=200, blank=True)
    result = models.FileField("résultat", upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField("nom du fichier", max_length=200, blank=True)
    message = models.TextField("compte rendu", blank=True)
    link = models.CharField("lien vers le résultat", max_length=300, blank=True)
    error = models.TextField("erreur", blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    # The worker process's peak resident memory during the run (jobs.memory says how it is measured).
    peak_memory_kb = models.PositiveBigIntegerField("pic de mémoire (Ko)", null=True, blank=True)
    # Whoever asked for this work: its creator, and those who asked for the same work while it ran
    # (they joined it); they, and SCP, may see it (core.rights.may_see_job).
    requested_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name="demandé aussi par"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="demandé par",
    )
    created_at = models.DateTimeField("demandé le", auto_now_add=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = "travail en tâche de fond"
        verbose_name_plural = "travaux en tâche de fond"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"], condition=Q(status__in=ACTIVE), name="jobs_one_active_per_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display().lower()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def succeeded(self) -> bool:
        return self.status == JobStatus.SUCCEEDED

    @property
    def failed(self) -> bool:
        return self.status == JobStatus.FAILED
