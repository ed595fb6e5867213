"""A fiche-year's discussion page: its threads and their messages, answering, resolving, reopening,
opening a thread. Its pilots and SCP write, the comité reads; the services decide and refuse."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from actions.models import Fiche
from core import rights
from discussions import selectors, services
from discussions.models import Thread
from discussions.notices import thread_url
from indicators.rules import WorkflowError
from www.plan_urls import plan_from_url

from .forms import ReplyForm, ThreadForm

NOT_YOURS = "Vous ne pilotez pas cette fiche."


def _fiche(request, slug: str, number: int, year: int) -> Fiche:
    plan = plan_from_url(request, slug)
    if year not in plan.years:
        raise Http404("Année hors du plan.")
    fiche = get_object_or_404(Fiche, plan=plan, number=number)
    fiche.plan = plan
    rights.require(rights.may_read_discussion(request.user, fiche), NOT_YOURS)
    return fiche


def _reply_form(thread: Thread, data=None) -> ReplyForm:
    return ReplyForm(data, auto_id=f"reponse-{thread.pk}-%s")


def _render(
    request, *, fiche: Fiche, year: int, new_form: ThreadForm, failed: ReplyForm | None = None, pk=None
):
    threads = selectors.fiche_year_threads(fiche=fiche, year=year)
    for thread in threads:
        thread.reply_form = failed if thread.pk == pk else _reply_form(thread)
    context = {
        "fiche": fiche,
        "year": year,
        "threads": threads,
        "new_form": new_form,
        "may_write": rights.may_write_discussion(request.user, fiche),
    }
    return render(request, "discussions/threads.html", context)


def threads(request, slug: str, number: int, year: int):
    fiche = _fiche(request, slug, number, year)
    form = ThreadForm(request.POST or None, fiche=fiche, year=year)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.thread_open(
                fiche=fiche,
                year=year,
                user=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                **form.about_kwargs(),
            )
        except services.DiscussionRefused as error:
            form.add_error(error.field, str(error))
        except WorkflowError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Échange « {thread.subject} » ouvert.")
            return redirect(thread_url(thread))
    return _render(request, fiche=fiche, year=year, new_form=form)


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return 0  # no version read: treated as a stale page


@require_POST
def thread_action(request, slug: str, number: int, year: int, pk: int, action: str):
    fiche = _fiche(request, slug, number, year)
    thread = get_object_or_404(Thread.objects.select_related("fiche__plan"), pk=pk, fiche=fiche, year=year)
    user = request.user
    form = _reply_form(thread, request.POST)
    form.is_valid()
    actions = {
        "repondre": lambda: services.message_post(thread=thread, user=user, body=form.cleaned_data["body"]),
        "resoudre": lambda: services.thread_resolve(thread=thread, user=user, seen_version=_version(request)),
        "rouvrir": lambda: services.thread_reopen(thread=thread, user=user, seen_version=_version(request)),
    }
    if action not in actions:
        raise Http404("Action inconnue.")
    try:
        actions[action]()
    except WorkflowError as error:
        if action == "repondre":  # the answer is shown back with the reason, nothing lost
            form.add_error("body", str(error))
            new_form = ThreadForm(fiche=fiche, year=year)
            return _render(request, fiche=fiche, year=year, new_form=new_form, failed=form, pk=thread.pk)
        messages.error(request, str(error))
    else:
        done = {"repondre": "Réponse envoyée.", "resoudre": "Échange résolu.", "rouvrir": "Échange rouvert."}
        messages.success(request, done[action])
    return redirect(thread_url(thread))
