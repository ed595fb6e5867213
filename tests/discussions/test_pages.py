"""The discussion page of a fiche-year and the entry page's section: messages escaped with their links
clickable, answering, resolving, opening a thread from the page, and the query budgets."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from discussions.enums import ThreadStatus
from discussions.models import Message, Thread
from discussions.services import message_post, thread_open
from tests.discussions.conftest import action_url, link_evidence, threads_url
from tests.indicators.conftest import client_for, entry_url
from tests.utils import database_state, form_data

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_message_is_shown_escaped_with_its_links_clickable(fiche11, thread, scp_user):
    message_post(
        thread=thread,
        user=scp_user,
        body="<script>alert('x')</script> Voir https://example.org/cr?a=1&b=2\nEt ceci.",
    )
    page = client_for(scp_user).get(threads_url(fiche11)).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert '<a href="https://example.org/cr?a=1&amp;b=2" rel="nofollow noopener">' in page
    assert "<br>Et ceci." in page
    assert f'id="fil-{thread.pk}"' in page and "À propos de l'indicateur 11-R1" in page


def test_opening_a_thread_from_the_page_about_a_milestone(fiche11, pilot11):
    client = client_for(pilot11)
    milestone = fiche11.milestones.order_by("position").first()
    data = form_data(client.get(threads_url(fiche11)).content.decode(), "nouvel-echange")
    data |= {"about": f"milestone-{milestone.pk}", "subject": "Date de réalisation", "body": "Fait en mai ?"}
    response = client.post(threads_url(fiche11), data)
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{threads_url(fiche11)}#fil-{thread.pk}"
    assert (thread.milestone, thread.subject, thread.opened_by) == (milestone, "Date de réalisation", pilot11)


def test_a_refused_thread_keeps_the_typing_with_the_reason_next_to_the_field(fiche11, pilot11):
    client = client_for(pilot11)
    before = database_state()
    response = client.post(threads_url(fiche11), {"subject": "Mon objet gardé", "body": "  ", "about": ""})
    page = response.content.decode()
    assert response.status_code == 200 and database_state() == before
    assert re.search(r'id="id_body_error">Écrivez votre message : il est vide.<', page)
    assert 'value="Mon objet gardé"' in page


def test_answering_resolving_and_reopening_from_the_page(fiche11, thread, scp_user):
    client = client_for(scp_user)
    before = database_state()
    response = client.post(action_url(thread, "repondre"), {"body": "x" * 5001})
    assert response.status_code == 200 and database_state() == before
    assert "Le message est trop long (5001 caractères)" in response.content.decode()
    assert "x" * 5001 in response.content.decode()  # the typing is kept
    response = client.post(action_url(thread, "repondre"), {"body": "Du compte rendu de juin."})
    assert response.status_code == 302 and response["Location"].endswith(f"#fil-{thread.pk}")
    assert thread.messages.last().body == "Du compte rendu de juin."
    stale = thread.version  # read before the answer
    response = client.post(action_url(thread, "resoudre"), {"version": stale}, follow=True)
    assert "a changé depuis que vous l&#x27;avez ouvert" in response.content.decode()
    assert Thread.objects.get(pk=thread.pk).status == ThreadStatus.OPEN
    version = Thread.objects.get(pk=thread.pk).version
    client.post(action_url(thread, "resoudre"), {"version": version})
    thread.refresh_from_db()
    assert thread.status == ThreadStatus.RESOLVED
    page = client.get(threads_url(fiche11)).content.decode()
    assert "Rouvrir" in page and action_url(thread, "repondre") not in page
    client.post(action_url(thread, "rouvrir"), {"version": thread.version})
    assert Thread.objects.get(pk=thread.pk).status == ThreadStatus.OPEN
    assert client.post(action_url(thread, "effacer")).status_code == 404


def test_the_comite_reads_without_writing(fiche11, thread, committee_user):
    client = client_for(committee_user)
    page = client.get(threads_url(fiche11)).content.decode()
    assert "D&#x27;où vient le chiffre de 17 réunions ?" in page
    assert "Ouvrir l&#x27;échange" not in page and "Répondre" not in page
    before = database_state()
    assert client.post(action_url(thread, "repondre"), {"body": "Avis du comité"}).status_code == 403
    assert client.post(threads_url(fiche11), {"subject": "Objet", "body": "Avis"}).status_code == 403
    assert database_state() == before


def test_the_entry_page_shows_open_threads_beside_what_they_are_about(fiche11, thread, pilot11, scp_user):
    milestone = fiche11.milestones.order_by("position").first()
    thread_open(fiche=fiche11, year=2025, user=scp_user, subject="", body="Réalisé ?", milestone=milestone)
    closed = thread_open(fiche=fiche11, year=2025, user=scp_user, subject="Réglé", body="Rien")
    closed.status = ThreadStatus.RESOLVED
    closed.save()
    page = client_for(pilot11).get(entry_url(fiche11)).content.decode()
    section = page[page.index('id="echanges"') : page.index("</section>", page.index('id="echanges"'))]
    assert "Indicateur 11-R1" in section and "D&#x27;où vient le chiffre de 17 réunions ?" in section
    assert f"#fil-{thread.pk}" in section and "Réglé" not in section and "dont 1 résolu" in section
    assert (
        page.count('<a href="#echanges" class="badge">échange ouvert</a>') == 2
    )  # the indicator, the milestone


def _grow(thread, users, count: int = 50) -> None:
    """`count` messages in the thread, alternately from `users` (saved directly: no e-mail per message)."""
    Message.objects.bulk_create(
        Message(thread=thread, author=users[i % len(users)], body=f"Message {i} https://example.org/{i}")
        for i in range(count)
    )


def test_query_budgets_with_fifty_messages_per_fiche_year(
    fiche11, thread, pilot11, scp_user, django_assert_max_num_queries
):
    client = client_for(pilot11)
    evidence = link_evidence(fiche11, 2025, scp_user)
    thread_open(fiche=fiche11, year=2025, user=scp_user, subject="", body="Lisible ?", evidence=evidence)
    entry_before, page_before = (
        count_queries(client, entry_url(fiche11)),
        count_queries(client, threads_url(fiche11)),
    )
    _grow(thread, [pilot11, scp_user])
    # The entry page: its own queries plus the section's one (threads, counts and newest messages).
    with django_assert_max_num_queries(entry_before):
        client.get(entry_url(fiche11))
    # The discussion page: session, user, rights, plans, fiche, threads, messages, the new thread's choices
    # (indicators, milestones, evidence): the same with 50 messages as with 2.
    with django_assert_max_num_queries(page_before):
        response = client.get(threads_url(fiche11))
    assert response.content.decode().count('rel="nofollow noopener"') == 50
    with django_assert_max_num_queries(14):  # the budget itself, so that a new query is a decision
        client.get(threads_url(fiche11))


def test_my_fiches_counts_the_open_threads_of_each_fiche_year(
    fiche11, campaign2025, thread, pilot11, scp_user
):
    thread_open(fiche=fiche11, year=2025, user=scp_user, subject="Autre question", body="Et ceci ?")
    page = client_for(pilot11).get("/mes-fiches/").content.decode()
    row = page[page.index(f'id="{fiche11.plan.slug}-2025-fiche-11"') :]
    row = row[: row.index("</tr>")]
    assert f'href="{threads_url(fiche11)}">2 échanges ouverts' in row


def test_the_entry_page_costs_the_same_with_no_discussion_as_with_fifty_messages(
    fiche11, campaign2025, pilot11, scp_user
):
    """Not even a prefetch that only runs once there are rows: the count of an empty year holds."""
    client = client_for(pilot11)
    client.get(entry_url(fiche11))  # caches per process warmed
    empty = count_queries(client, entry_url(fiche11))
    meetings = fiche11.indicators.get(code="11-R1")
    for index in range(3):
        thread = thread_open(
            fiche=fiche11, year=2025, user=scp_user, subject=f"Question {index}", body="?", indicator=meetings
        )
        _grow(thread, [pilot11, scp_user])
        link_evidence(fiche11, 2025, scp_user, title=f"Compte rendu {index}")
    page = client.get(entry_url(fiche11)).content.decode()
    assert page.count("Dernier message, de") == 3 and "51 messages" in page
    assert count_queries(client, entry_url(fiche11)) == empty
