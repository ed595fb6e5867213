"""Writing a fiche-year's discussion: who may, about what, and the refusals (French, nothing written)."""

import pytest
from django.core.exceptions import PermissionDenied

from actions.models import Fiche
from discussions.enums import ThreadStatus
from discussions.models import Message, Thread
from discussions.services import (
    MAX_BODY,
    DiscussionRefused,
    message_post,
    thread_open,
    thread_reopen,
    thread_resolve,
)
from indicators.rules import PlanStateRefused, WorkflowError
from tests.discussions.conftest import link_evidence
from tests.indicators.conftest import validated_year
from tests.utils import database_state

pytestmark = pytest.mark.django_db


def test_a_pilot_opens_a_thread_about_an_indicator_and_scp_answers(thread, pilot11, scp_user):
    assert thread.subject == "Indicateur 11-R1" and thread.indicator.code == "11-R1"
    assert thread.status == ThreadStatus.OPEN and thread.opened_by == pilot11
    message = message_post(thread=thread, user=scp_user, body="  Du compte rendu de juin.  ")
    assert message.body == "Du compte rendu de juin." and message.author == scp_user
    assert [m.author for m in thread.messages.order_by("created_at", "pk")] == [pilot11, scp_user]
    assert thread.history.get().history_user == pilot11
    assert {h.history_user for h in Message.history.all()} == {pilot11, scp_user}


def test_resolve_and_reopen_are_kept_with_their_author_and_refuse_a_stale_page(thread, pilot11, scp_user):
    seen = thread.version
    message_post(thread=thread, user=scp_user, body="Voir le compte rendu.")  # the thread moves on
    with pytest.raises(WorkflowError, match="a changé depuis que vous l'avez ouvert"):
        thread_resolve(thread=Thread.objects.get(pk=thread.pk), user=pilot11, seen_version=seen)
    thread = Thread.objects.get(pk=thread.pk)
    assert thread.status == ThreadStatus.OPEN
    thread_resolve(thread=thread, user=pilot11, seen_version=thread.version)
    thread.refresh_from_db()
    assert (thread.status, thread.resolved_by) == (ThreadStatus.RESOLVED, pilot11)
    with pytest.raises(WorkflowError, match="^Cet échange est déjà résolu.$"):
        thread_resolve(thread=thread, user=scp_user, seen_version=thread.version)
    with pytest.raises(WorkflowError, match="résolu : rouvrez-le pour y répondre"):
        message_post(thread=thread, user=scp_user, body="Encore une question.")
    thread_reopen(thread=thread, user=scp_user, seen_version=thread.version)
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.OPEN and thread.resolved_by is None
    assert [h.history_user for h in thread.history.order_by("history_date")] == [pilot11, pilot11, scp_user]


@pytest.mark.parametrize(
    "body, message",
    [
        ("", "^Écrivez votre message : il est vide.$"),
        ("   \n ", "^Écrivez votre message : il est vide.$"),
        (
            "x" * (MAX_BODY + 1),
            rf"^Le message est trop long \({MAX_BODY + 1} caractères\) : {MAX_BODY} caractères",
        ),
    ],
)
def test_an_empty_or_overlong_message_is_refused_and_nothing_written(thread, scp_user, body, message):
    before = database_state()
    with pytest.raises(DiscussionRefused, match=message) as refused:
        message_post(thread=thread, user=scp_user, body=body)
    assert refused.value.field == "body"
    with pytest.raises(DiscussionRefused, match=message):
        thread_open(fiche=thread.fiche, year=2025, user=scp_user, subject="Question", body=body)
    assert database_state() == before


def test_the_subject_must_belong_to_the_fiche_and_year(fiche11, pilot11, scp_user):
    fiche5 = Fiche.objects.get(plan=fiche11.plan, number=5)
    before = database_state()
    cases = [
        ({"indicator": fiche5.indicators.first()}, "^Cet indicateur n'est pas de la fiche 11.$"),
        ({"milestone": fiche5.milestones.first()}, "^Ce jalon n'est pas de la fiche 11.$"),
        (
            {"indicator": fiche11.indicators.first(), "milestone": fiche11.milestones.first()},
            "^Un échange porte sur un seul élément de la fiche.$",
        ),
    ]
    for about, message in cases:
        with pytest.raises(DiscussionRefused, match=message):
            thread_open(fiche=fiche11, year=2025, user=pilot11, subject="Objet", body="Question", **about)
    with pytest.raises(DiscussionRefused, match="^Donnez un objet à l'échange.$"):
        thread_open(fiche=fiche11, year=2025, user=pilot11, subject="  ", body="Question")
    with pytest.raises(DiscussionRefused, match="^L'année 2031 n'est pas une année du plan"):
        thread_open(fiche=fiche11, year=2031, user=pilot11, subject="Objet", body="Question")
    assert database_state() == before
    # Evidence: of the fiche, of that year, not removed.
    other_year = link_evidence(fiche11, 2024, scp_user)
    removed = link_evidence(fiche11, 2025, scp_user)
    removed.removed_at, removed.removed_by = removed.added_at, scp_user
    removed.save()
    for evidence in (other_year, removed, link_evidence(fiche5, 2025, scp_user)):
        with pytest.raises(
            DiscussionRefused, match="n'est pas une preuve actuelle du bilan 2025 de la fiche 11"
        ):
            thread_open(
                fiche=fiche11, year=2025, user=pilot11, subject="", body="Question", evidence=evidence
            )
    current = link_evidence(fiche11, 2025, scp_user, title="Feuille d'émargement")
    thread = thread_open(
        fiche=fiche11, year=2025, user=pilot11, subject="", body="Lisible ?", evidence=current
    )
    assert thread.subject == "Preuve : Feuille d'émargement" and thread.evidence == current


def test_only_the_fiches_pilots_and_scp_write_the_comite_reads(fiche11, thread, pilot5, committee_user):
    before = database_state()
    for user in (pilot5, committee_user):
        with pytest.raises(PermissionDenied, match="^Seuls les pilotes de la fiche et le service commande"):
            thread_open(fiche=fiche11, year=2025, user=user, subject="Objet", body="Question")
        with pytest.raises(PermissionDenied, match="^Seuls les pilotes de la fiche"):
            message_post(thread=thread, user=user, body="Réponse")
        with pytest.raises(PermissionDenied, match="^Seuls les pilotes de la fiche"):
            thread_resolve(thread=thread, user=user, seen_version=thread.version)
    assert database_state() == before


def test_a_validated_year_may_still_be_discussed(fiche11, pilot11, scp_user):
    """The discussion is about the figures: after validation SCP may still question one and the pilot
    answer; the figures themselves stay locked (indicators.rules)."""
    validated_year(fiche11, 2024, scp_user)
    thread = thread_open(fiche=fiche11, year=2024, user=scp_user, subject="Source", body="Quelle source ?")
    message_post(thread=thread, user=pilot11, body="Le rapport annuel.")
    thread_resolve(thread=thread, user=scp_user, seen_version=Thread.objects.get(pk=thread.pk).version)
    assert Thread.objects.get(pk=thread.pk).status == ThreadStatus.RESOLVED


def test_no_discussion_in_a_plan_in_preparation(next_plan, scp_user):
    fiche = next_plan.fiches.order_by("number").first()
    before = database_state()
    with pytest.raises(PlanStateRefused, match="est en préparation"):
        thread_open(fiche=fiche, year=2027, user=scp_user, subject="Objet", body="Question")
    assert database_state() == before
