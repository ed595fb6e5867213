"""Discussions of a fiche-year between its pilots and SCP: threads, optionally about one indicator
(that year's value), one milestone or one piece of evidence, each open or resolved, and their
messages (plain text). Never public."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from actions.models import Fiche, Indicator, Milestone
from core.versioning import Versioned
from evidence.models import Evidence

from .enums import ThreadStatus


class ThreadQuerySet(models.QuerySet):
    def open(self) -> "ThreadQuerySet":
        return self.filter(status=ThreadStatus.OPEN)

    def of_fiche_year(self, fiche: Fiche, year: int) -> "ThreadQuerySet":
        return self.filter(fiche=fiche, year=year)


class Thread(Versioned):
    fiche = models.ForeignKey(Fiche, on_delete=models.CASCADE, related_name="threads", verbose_name="fiche")
    year = models.PositiveSmallIntegerField("année")
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name="indicateur",
    )
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name="étape du calendrier",
    )
    evidence = models.ForeignKey(
        Evidence,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name="preuve",
    )
    subject = models.CharField("objet", max_length=200)
    status = models.CharField("état", max_length=10, choices=ThreadStatus.choices, default=ThreadStatus.OPEN)
    opened_at = models.DateTimeField("ouvert le", auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="ouvert par",
    )
    resolved_at = models.DateTimeField("résolu le", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="résolu par",
    )

    history = HistoricalRecords()
    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = "fil d'échange"
        verbose_name_plural = "fils d'échange"
        ordering = ["fiche", "year", "opened_at", "pk"]
        indexes = [models.Index(fields=["fiche", "year", "status"], name="thread_fiche_year")]

    def __str__(self):
        return self.subject

    @property
    def is_open(self) -> bool:
        return self.status == ThreadStatus.OPEN


class Message(models.Model):
    """One message of a thread, in plain text (escaped on display, links made clickable). Messages
    are not edited; their history is kept all the same (deletion by SCP in the admin is recorded)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages", verbose_name="fil")
    body = models.TextField("message")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
    )
    created_at = models.DateTimeField("écrit le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "message"
        verbose_name_plural = "messages"
        ordering = ["thread", "created_at", "pk"]

    def __str__(self):
        return self.body[:60]
