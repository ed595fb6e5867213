"""The discussions plugged into the yearly workflow: a return opens a thread with SCP's comment; a year
with open threads is validated once SCP confirms (service, campaign page, admin)."""

import pytest
from django.core import mail
from django.urls import reverse

from discussions.enums import ThreadStatus
from discussions.models import Thread
from discussions.services import thread_resolve
from indicators.enums import ReviewStatus
from indicators.models import AnnualReview
from indicators.services import workflow
from indicators.services.workflow import ConfirmationRequired
from notifications.enums import NotificationKind
from notifications.models import Notification
from tests.indicators.conftest import client_for

pytestmark = pytest.mark.django_db

COMMENT = "Indicateur 11-R1 : précisez la source des 17 réunions."


@pytest.fixture
def returned(fiche11, campaign2025, pilot11, scp_user):
    """Fiche 11's 2025 year submitted, returned with a comment, submitted again."""
    workflow.fiche_year_submit(fiche=fiche11, year=2025, user=pilot11)
    workflow.fiche_year_return(fiche=fiche11, year=2025, user=scp_user, comment=COMMENT)
    workflow.fiche_year_submit(fiche=fiche11, year=2025, user=pilot11)
    return fiche11


def test_returning_a_year_opens_a_thread_with_scps_comment_without_a_second_email(
    fiche11, campaign2025, pilot11, scp_user, django_capture_on_commit_callbacks
):
    workflow.fiche_year_submit(fiche=fiche11, year=2025, user=pilot11)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.fiche_year_return(fiche=fiche11, year=2025, user=scp_user, comment=COMMENT)
    thread = Thread.objects.get()
    assert (thread.fiche, thread.year, thread.subject) == (
        fiche11,
        2025,
        "Bilan 2025 renvoyé pour correction",
    )
    assert thread.status == ThreadStatus.OPEN and thread.opened_by == scp_user
    assert [(m.body, m.author) for m in thread.messages.all()] == [(COMMENT, scp_user)]
    assert thread.history.get().history_user == scp_user
    # The pilots hear of it once, by the return's own e-mail, which carries the comment.
    assert not Notification.objects.filter(kind=NotificationKind.THREAD_MESSAGE).exists()
    assert {m.subject for m in mail.outbox} == {"[SPASER] Bilan 2025 de la fiche 11 renvoyé pour correction"}


def test_a_refused_return_opens_no_thread(fiche11, campaign2025, scp_user):
    with pytest.raises(workflow.WorkflowError, match="Impossible de renvoyer"):
        workflow.fiche_year_return(fiche=fiche11, year=2025, user=scp_user, comment=COMMENT)
    assert not Thread.objects.exists()


def test_validating_a_year_with_an_open_thread_needs_scps_confirmation(returned, scp_user, pilot11):
    with pytest.raises(
        ConfirmationRequired, match=r"^Le bilan 2025 de la fiche 11 a 1 fil\(s\) d'échange encore ouvert"
    ):
        workflow.fiche_year_validate(fiche=returned, year=2025, user=scp_user)
    assert AnnualReview.objects.get(fiche=returned, year=2025).status == ReviewStatus.SUBMITTED
    review = workflow.fiche_year_validate(fiche=returned, year=2025, user=scp_user, confirm=True)
    assert review.status == ReviewStatus.VALIDATED
    assert Thread.objects.get().status == ThreadStatus.OPEN  # confirmed: the thread stays as it was


def test_a_resolved_thread_needs_no_confirmation(returned, scp_user):
    thread = Thread.objects.get()
    thread_resolve(thread=thread, user=scp_user, seen_version=thread.version)
    review = workflow.fiche_year_validate(fiche=returned, year=2025, user=scp_user)
    assert review.status == ReviewStatus.VALIDATED


def test_the_campaign_page_asks_scp_to_confirm_then_validates(
    returned, scp_user, django_assert_max_num_queries
):
    client = client_for(scp_user)
    url = reverse("indicators:campaign_fiche_action", args=[returned.plan.slug, 2025, 11, "valider"])
    response = client.post(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "1 fil(s) d&#x27;échange encore ouvert(s) : « Bilan 2025 renvoyé pour correction »" in page
    assert 'name="confirm" value="1"' in page and "Confirmer la validation" in page
    assert reverse("discussions:threads", args=[returned.plan.slug, 11, 2025]) in page
    assert AnnualReview.objects.get(fiche=returned, year=2025).status == ReviewStatus.SUBMITTED
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    assert AnnualReview.objects.get(fiche=returned, year=2025).status == ReviewStatus.VALIDATED


def test_the_admin_validates_a_year_with_open_threads_only_by_its_confirming_action(returned, scp_user):
    client = client_for(scp_user)
    review = AnnualReview.objects.get(fiche=returned, year=2025)
    url = reverse("admin:indicators_annualreview_changelist")
    response = client.post(url, {"action": "validate_reviews", "_selected_action": [review.pk]}, follow=True)
    assert "encore ouvert(s)" in response.content.decode()
    assert AnnualReview.objects.get(pk=review.pk).status == ReviewStatus.SUBMITTED
    response = client.post(
        url, {"action": "validate_reviews_confirmed", "_selected_action": [review.pk]}, follow=True
    )
    assert "1 bilan(s) validé(s)." in response.content.decode()
    assert AnnualReview.objects.get(pk=review.pk).status == ReviewStatus.VALIDATED
