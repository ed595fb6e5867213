"""Reading a fiche-year's discussion: the discussion page's threads, the entry page's section, the
open threads' counts of Mes fiches. Each in a fixed number of queries, whatever the number of
threads and messages."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from actions.models import Fiche

from .models import Message, Thread

_SUBJECTS = ("indicator", "milestone", "evidence")


def fiche_year_threads(*, fiche: Fiche, year: int) -> list[Thread]:
    """Every thread of the fiche-year, open ones first, with what it is about, its people and its
    messages (oldest first): 2 queries."""
    messages = Message.objects.select_related("author").order_by("created_at", "pk")
    threads = (
        Thread.objects.of_fiche_year(fiche, year)
        .select_related(*_SUBJECTS, "opened_by", "resolved_by")
        .prefetch_related(Prefetch("messages", queryset=messages))
    )
    return sorted(threads, key=lambda t: (not t.is_open, t.opened_at, t.pk))


@dataclass
class OpenThread:
    thread: Thread
    message_count: int
    last: Message | None


@dataclass
class EntryDiscussions:
    """The entry page's section: the open threads with their last message, what they are about (the
    indicators and milestones get a marker), and how many threads are resolved."""

    fiche: Fiche
    year: int
    open_threads: list[OpenThread] = field(default_factory=list)
    resolved_count: int = 0
    indicator_ids: set[int] = field(default_factory=set)
    milestone_ids: set[int] = field(default_factory=set)


def _latest(field: str) -> Subquery:
    """A thread's newest message's `field`, for an annotation."""
    newest = Message.objects.filter(thread=OuterRef("pk")).order_by("-created_at", "-pk")
    return Subquery(newest.values(field)[:1])


def entry_discussions(*, fiche: Fiche, year: int) -> EntryDiscussions:
    """The open threads of the fiche-year for its entry page: 1 query, with or without threads, however
    many messages (each thread's count and newest message are read by subqueries, not loaded)."""
    count = Message.objects.filter(thread=OuterRef("pk")).values("thread").annotate(n=Count("pk")).values("n")
    threads = list(
        Thread.objects.of_fiche_year(fiche, year)
        .select_related(*_SUBJECTS)
        .annotate(
            message_count=Coalesce(Subquery(count), 0),
            last_body=_latest("body"),
            last_created_at=_latest("created_at"),
            last_author_first=_latest("author__first_name"),
            last_author_last=_latest("author__last_name"),
            last_author_username=_latest("author__username"),
        )
        .order_by("opened_at", "pk")
    )
    section = EntryDiscussions(fiche=fiche, year=year)
    open_threads = [t for t in threads if t.is_open]
    section.resolved_count = len(threads) - len(open_threads)
    for thread in open_threads:
        section.open_threads.append(OpenThread(thread, thread.message_count, _last_message(thread)))
        if thread.indicator_id:
            section.indicator_ids.add(thread.indicator_id)
        if thread.milestone_id:
            section.milestone_ids.add(thread.milestone_id)
    return section


def _last_message(thread: Thread) -> Message | None:
    """The newest message as the section shows it (body, date, author's name), from the annotations."""
    if thread.last_created_at is None:
        return None
    author = None
    if thread.last_author_username is not None:
        author = User(
            first_name=thread.last_author_first,
            last_name=thread.last_author_last,
            username=thread.last_author_username,
        )
    return Message(thread=thread, body=thread.last_body, created_at=thread.last_created_at, author=author)


def open_thread_counts(*, fiche_ids: Iterable[int], years: Iterable[int]) -> Counter:
    """How many open threads each fiche-year has, by (fiche id, year): 1 query."""
    rows = Thread.objects.open().filter(fiche_id__in=list(fiche_ids), year__in=list(years))
    return Counter(rows.values_list("fiche_id", "year"))
