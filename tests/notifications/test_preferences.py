"""The preferences page (every role, the kinds of one's roles) and the one-click link of the e-mails."""

import pytest
from django.core import signing
from django.urls import reverse

from notifications.enums import Mode, NotificationKind
from notifications.models import Preference
from notifications.tokens import SALT, preference_token

pytestmark = pytest.mark.django_db

URL = "/mon-compte/notifications/"


def mode_of(user, kind) -> str | None:
    return Preference.objects.filter(user=user, kind=kind).values_list("mode", flat=True).first()


def test_the_page_shows_the_kinds_of_the_persons_roles(client, pilot11, scp_user, committee_user):
    assert reverse("notification_preferences") == URL
    client.force_login(pilot11)
    page = client.get(URL).content.decode()
    assert "Bilan annuel renvoyé pour correction" in page and "Bilan annuel soumis" not in page
    assert "Un résumé par jour" in page
    client.force_login(scp_user)
    page = client.get(URL).content.decode()
    assert "Bilan annuel soumis par un pilote" in page and "renvoyé pour correction" not in page
    client.force_login(committee_user)
    assert "Aucune notification par e-mail ne concerne votre rôle" in client.get(URL).content.decode()


def test_a_pilot_sets_a_preference_recorded_with_its_author(client, pilot11, django_assert_max_num_queries):
    client.force_login(pilot11)
    # Session, user, rights (groups and posts), the plans of the menu, the preferences: a fixed number.
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200
    modes = {
        kind: Mode.IMMEDIATE
        for kind in ("campaign_opened", "deadline", "year_validated", "year_reopened", "thread_message")
    }
    response = client.post(URL, modes | {"year_returned": Mode.DIGEST})
    assert response.status_code == 302 and response["Location"] == URL
    assert mode_of(pilot11, NotificationKind.YEAR_RETURNED) == Mode.DIGEST
    assert Preference.objects.filter(user=pilot11).count() == 1  # the defaults are not written
    assert Preference.objects.get().history.get().history_user == pilot11
    page = client.get(URL).content.decode()
    assert "Vos préférences de notification sont enregistrées." in page


def test_a_bad_choice_is_refused_in_french_and_nothing_is_written(client, pilot11):
    client.force_login(pilot11)
    response = client.post(URL, {"year_returned": "sometimes"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Preference.objects.exists()


def test_the_one_click_link_changes_the_preference_without_logging_in(client, pilot11):
    url = reverse("notification_preference_change", args=[preference_token(pilot11.pk, ["year_returned"])])
    page = client.get(url)
    assert page.status_code == 200
    assert "bilan annuel renvoyé pour correction" in page.content.decode()
    assert mode_of(pilot11, NotificationKind.YEAR_RETURNED) is None  # a GET changes nothing
    done = client.post(url, {"mode": Mode.DIGEST})
    assert done.status_code == 200 and "C'est enregistré" in done.content.decode()
    assert mode_of(pilot11, NotificationKind.YEAR_RETURNED) == Mode.DIGEST
    history = Preference.objects.get().history.first()
    assert history.history_user == pilot11


def test_a_mail_clients_one_click_request_stops_these_emails(client, pilot11):
    """RFC 8058: the client posts "List-Unsubscribe=One-Click" to the List-Unsubscribe address."""
    kinds = ["year_returned", "year_validated"]
    url = reverse("notification_preference_change", args=[preference_token(pilot11.pk, kinds)])
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert {mode_of(pilot11, kind) for kind in kinds} == {Mode.NONE}


def test_a_tampered_or_forged_link_is_refused_in_french(client, pilot11, scp_user):
    token = preference_token(pilot11.pk, ["year_returned"])
    tampered = token[:-3] + ("abc" if token[-3:] != "abc" else "xyz")
    forged = signing.dumps({"u": scp_user.pk, "k": ["year_submitted"]}, salt="another-salt")
    for bad in (tampered, forged):
        url = reverse("notification_preference_change", args=[bad])
        response = client.post(url, {"mode": Mode.NONE})
        assert response.status_code == 400
        assert "Ce lien n&#x27;est pas valide" in response.content.decode()
    assert not Preference.objects.exists()


def test_an_expired_link_is_refused(client, pilot11, settings):
    settings.NOTIFICATIONS_LINK_MAX_AGE_DAYS = -1
    url = reverse(
        "notification_preference_change",
        args=[signing.dumps({"u": pilot11.pk, "k": ["deadline"]}, salt=SALT)],
    )
    response = client.get(url)
    assert response.status_code == 400 and "Ce lien a expiré" in response.content.decode()


def test_the_link_acts_for_the_person_it_names_whoever_is_logged_in(client, pilot11, scp_user):
    """The signed token is the credential, not the session (the view takes posts without CSRF token)."""
    client.force_login(scp_user)
    url = reverse("notification_preference_change", args=[preference_token(pilot11.pk, ["deadline"])])
    client.post(url, {"mode": Mode.NONE})
    assert mode_of(pilot11, NotificationKind.DEADLINE) == Mode.NONE
    assert not Preference.objects.filter(user=scp_user).exists()
