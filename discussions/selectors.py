"""Reading a fiche-year's discussion: the discussion page's threads, the entry page's section, the
open threads' counts of Mes fiches. Each in a fixed number of queries, whatever the number of
threads and messages."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch

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


def entry_discussions(*, fiche: Fiche, year: int) -> EntryDiscussions:
    """The open threads of the fiche-year for its entry page: 2 queries (1 without open threads)."""
    threads = list(
        Thread.objects.of_fiche_year(fiche, year)
        .select_related(*_SUBJECTS)
        .annotate(message_count=Count("messages"))
        .order_by("opened_at", "pk")
    )
    section = EntryDiscussions(fiche=fiche, year=year)
    open_threads = [t for t in threads if t.is_open]
    section.resolved_count = len(threads) - len(open_threads)
    last = {}
    if open_threads:
        # Each open thread's last message: the messages of the open threads, the newest kept per thread.
        for message in (
            Message.objects.filter(thread__in=open_threads)
            .select_related("author")
            .order_by("created_at", "pk")
        ):
            last[message.thread_id] = message
    for thread in open_threads:
        section.open_threads.append(OpenThread(thread, thread.message_count, last.get(thread.pk)))
        if thread.indicator_id:
            section.indicator_ids.add(thread.indicator_id)
        if thread.milestone_id:
            section.milestone_ids.add(thread.milestone_id)
    return section


def open_thread_counts(*, fiche_ids: Iterable[int], years: Iterable[int]) -> Counter:
    """How many open threads each fiche-year has, by (fiche id, year): 1 query."""
    rows = Thread.objects.open().filter(fiche_id__in=list(fiche_ids), year__in=list(years))
    return Counter(rows.values_list("fiche_id", "year"))
