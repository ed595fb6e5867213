"""Writing a fiche-year's discussion: open a thread, post a message, resolve or reopen a thread.

The fiche's pilots and SCP write (core.rights.may_write_discussion), the comité reads. A discussion
follows the plan's state (none in a plan in preparation; in a closed plan, only its last year's, until
sealed) but not the validated-year lock: a validated year's figures may still be discussed (SCP
questions a figure after validation, a pilot answers); only the figures stay locked.

Returning a year opens a thread with SCP's comment (`thread_open_on_return`, plugged into the
workflow); a year with open threads is validated only once SCP confirms
(`open_threads_confirmation`). Both are registered in DiscussionsConfig.ready.
"""

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from actions.models import Fiche, Indicator, Milestone
from core import rights
from core.versioning import StaleWrite, save_claimed
from evidence.models import Evidence
from indicators import rules
from indicators.rules import WorkflowError

from . import notices
from .enums import ThreadStatus
from .models import Message, Thread

MAX_BODY = 5000  # characters of one message
MAX_SUBJECT = Thread._meta.get_field("subject").max_length
WRITERS_ONLY = "Seuls les pilotes de la fiche et le service commande publique écrivent dans ses échanges."


class DiscussionRefused(WorkflowError):
    """A refused write of a discussion; `field` names the form field the message belongs next to."""

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)


def _require_discussable(*, fiche: Fiche, year: int, user: User) -> None:
    rights.require(rights.may_write_discussion(user, fiche), WRITERS_ONLY)
    if year not in fiche.plan.years:
        raise DiscussionRefused(f"L'année {year} n'est pas une année du plan « {fiche.plan} ».")
    rules.require_follow_up(plan=fiche.plan, years={year})  # the plan's state only: see the docstring


def clean_body(body: str | None) -> str:
    """The message as it is kept: trimmed, not empty, not over MAX_BODY characters."""
    body = (body or "").strip()
    if not body:
        raise DiscussionRefused("Écrivez votre message : il est vide.", field="body")
    if len(body) > MAX_BODY:
        raise DiscussionRefused(
            f"Le message est trop long ({len(body)} caractères) : {MAX_BODY} caractères au plus.",
            field="body",
        )
    return body


def _check_about(
    *, fiche: Fiche, year: int, indicator: Indicator | None, milestone: Milestone | None, evidence
) -> str:
    """What the thread is about must be the fiche's (and, for evidence, that year's, not removed); at
    most one thing. Returns its label (a default subject)."""
    chosen = [obj for obj in (indicator, milestone, evidence) if obj is not None]
    if len(chosen) > 1:
        raise DiscussionRefused("Un échange porte sur un seul élément de la fiche.", field="about")
    if indicator is not None and indicator.fiche_id != fiche.pk:
        raise DiscussionRefused(f"Cet indicateur n'est pas de la fiche {fiche.number}.", field="about")
    if milestone is not None and milestone.fiche_id != fiche.pk:
        raise DiscussionRefused(f"Ce jalon n'est pas de la fiche {fiche.number}.", field="about")
    if evidence is not None and (
        evidence.fiche_id != fiche.pk or evidence.year != year or evidence.removed_at is not None
    ):
        raise DiscussionRefused(
            f"Cette preuve n'est pas une preuve actuelle du bilan {year} de la fiche {fiche.number}.",
            field="about",
        )
    if indicator is not None:
        return f"Indicateur {indicator.code}"
    if milestone is not None:
        return f"Jalon : {milestone.text}"[:MAX_SUBJECT]
    return f"Preuve : {evidence.title}"[:MAX_SUBJECT] if evidence is not None else ""


def _clean_subject(subject: str | None, default: str) -> str:
    subject = " ".join((subject or "").split()) or default
    if not subject:
        raise DiscussionRefused("Donnez un objet à l'échange.", field="subject")
    if len(subject) > MAX_SUBJECT:
        raise DiscussionRefused(
            f"L'objet est trop long ({len(subject)} caractères) : {MAX_SUBJECT} caractères au plus.",
            field="subject",
        )
    return subject


def _create(*, fiche: Fiche, year: int, user: User, subject: str, body: str, **about) -> tuple:
    thread = Thread(fiche=fiche, year=year, subject=subject, opened_by=user, **about)
    save_claimed(thread, seen=None, user=user)
    message = Message(thread=thread, body=body, author=user)
    message._history_user = user
    message.save()
    return thread, message


@transaction.atomic
def thread_open(
    *,
    fiche: Fiche,
    year: int,
    user: User,
    subject: str,
    body: str,
    indicator: Indicator | None = None,
    milestone: Milestone | None = None,
    evidence: Evidence | None = None,
) -> Thread:
    """Open a thread on a fiche-year, optionally about one of its indicators, milestones or current
    evidence, with its first message; the other side is notified. An empty subject takes the label
    of what the thread is about."""
    _require_discussable(fiche=fiche, year=year, user=user)
    label = _check_about(fiche=fiche, year=year, indicator=indicator, milestone=milestone, evidence=evidence)
    subject = _clean_subject(subject, label)
    body = clean_body(body)
    thread, message = _create(
        fiche=fiche,
        year=year,
        user=user,
        subject=subject,
        body=body,
        indicator=indicator,
        milestone=milestone,
        evidence=evidence,
    )
    notices.message_notify(message=message, thread=thread, user=user)
    return thread


def thread_open_on_return(*, fiche: Fiche, year: int, user: User, comment: str) -> Thread:
    """The workflow's return hook: SCP's comment opens a thread, in the return's transaction. Nobody
    is notified of it here: the return's own e-mail carries the comment."""
    return _create(
        fiche=fiche, year=year, user=user, subject=f"Bilan {year} renvoyé pour correction", body=comment
    )[0]


def open_threads_confirmation(*, fiche: Fiche, year: int) -> str | None:
    """The workflow's validation check: the year's open threads, which SCP confirms before validating."""
    subjects = list(Thread.objects.of_fiche_year(fiche, year).open().values_list("subject", flat=True))
    if not subjects:
        return None
    listed = ", ".join(f"« {subject} »" for subject in subjects)
    return (
        f"Le bilan {year} de la fiche {fiche.number} a {len(subjects)} fil(s) d'échange encore "
        f"ouvert(s) : {listed}. Confirmez la validation, ou résolvez-les d'abord."
    )


@transaction.atomic
def message_post(*, thread: Thread, user: User, body: str) -> Message:
    """Answer in an open thread; the other side is notified. The thread's version moves on, so that a
    resolution decided without this message is refused (`thread_resolve`)."""
    fiche = thread.fiche
    _require_discussable(fiche=fiche, year=thread.year, user=user)
    if not Thread.objects.filter(pk=thread.pk).open().exists():
        raise DiscussionRefused("Cet échange est résolu : rouvrez-le pour y répondre.", field="body")
    message = Message(thread=thread, body=clean_body(body), author=user)
    message._history_user = user
    message.save()
    # A plain UPDATE: the version only, no history row per message (the message has its own).
    Thread.objects.filter(pk=thread.pk).update(version=F("version") + 1)
    notices.message_notify(message=message, thread=thread, user=user)
    return message


def _set_status(*, thread: Thread, user: User, seen_version: int | None, status: str) -> Thread:
    _require_discussable(fiche=thread.fiche, year=thread.year, user=user)
    current = Thread.objects.filter(pk=thread.pk).values_list("status", flat=True).first()
    if current == status:
        state = "résolu" if status == ThreadStatus.RESOLVED else "ouvert"
        raise DiscussionRefused(f"Cet échange est déjà {state}.")
    resolved = status == ThreadStatus.RESOLVED
    thread.status = status
    thread.resolved_at = timezone.now() if resolved else None
    thread.resolved_by = user if resolved else None
    try:
        save_claimed(thread, seen=seen_version, user=user)
    except StaleWrite:
        raise DiscussionRefused(
            "Cet échange a changé depuis que vous l'avez ouvert (nouveau message, résolution) : "
            "rien n'a été enregistré. Relisez-le puis recommencez."
        ) from None
    return thread


@transaction.atomic
def thread_resolve(*, thread: Thread, user: User, seen_version: int | None) -> Thread:
    """Mark a thread resolved (either side may), if nothing changed in it since `seen_version`."""
    return _set_status(thread=thread, user=user, seen_version=seen_version, status=ThreadStatus.RESOLVED)


@transaction.atomic
def thread_reopen(*, thread: Thread, user: User, seen_version: int | None) -> Thread:
    """Open a resolved thread again (to answer in it)."""
    return _set_status(thread=thread, user=user, seen_version=seen_version, status=ThreadStatus.OPEN)
