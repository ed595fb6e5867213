"""Never public: no thread's subject nor message reaches the public site or its open data, even about a
validated (public) year and one of its published figures (unique markers, as tests/public/test_privacy.py)."""

import pytest
from django.test import Client

from actions.models import Fiche
from actions.services import plan_publication_set
from discussions.services import message_post, thread_open
from indicators.enums import ReviewStatus
from reporting.services import bilan_publish, published_bilan_set_public
from tests.factories import AnnualReviewFactory, IndicatorValueFactory
from tests.public.conftest import crawl, readable_text, text_indicator

pytestmark = pytest.mark.django_db

MARKERS = ("ZQ-objet-echange", "ZQ-message-pilote", "ZQ-reponse-scp", "ZQ-echange-2025")
SHOWN = "Réalisations validées publiques 2022"


@pytest.fixture
def discussed_site(spaser54, fiche11, pilot11, scp_user):
    """Fiche 11's 2022 validated and published, with a discussion about its published value; another
    discussion on 2025 (fiches 5 and 11 only: a quick PDF)."""
    Fiche.objects.filter(plan=spaser54).exclude(number__in=[5, 11]).delete()
    indicator = text_indicator(fiche11)
    AnnualReviewFactory(fiche=fiche11, year=2022, status=ReviewStatus.VALIDATED, achievements=SHOWN)
    IndicatorValueFactory(
        indicator=indicator, year=2022, value_number=None, value_text="Valeur publique 2022"
    )
    thread = thread_open(
        fiche=fiche11, year=2022, user=pilot11, subject=MARKERS[0], body=MARKERS[1], indicator=indicator
    )
    message_post(thread=thread, user=scp_user, body=MARKERS[2])
    thread_open(fiche=fiche11, year=2025, user=scp_user, subject="Question", body=MARKERS[3])
    plan_publication_set(plan=spaser54, is_public=True, user=scp_user)
    bilan = bilan_publish(plan=spaser54, year=2022, user=scp_user)
    published_bilan_set_public(bilan=bilan, is_public=True, user=scp_user)
    return spaser54


def test_no_discussion_on_any_public_page_or_file(discussed_site):
    responses = crawl(Client())
    texts = {path: readable_text(response) for path, response in responses.items()}
    assert any(f"/public/{discussed_site.slug}/fiches/11/" == path for path in texts)
    for marker in MARKERS:
        assert [path for path, text in texts.items() if marker.lower() in text.lower()] == [], marker
    assert SHOWN in "\n".join(texts.values())  # the crawl reached the discussed year's public figures
