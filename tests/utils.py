"""Helpers for tests that submit real forms as a browser would, and check that nothing was written."""

from html.parser import HTMLParser

from django.apps import apps


class _FormParser(HTMLParser):
    def __init__(self, form_id: str | None):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_has_selected = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (self.form_id is None or attrs.get("id") == self.form_id):
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.setdefault(name, []).append(attrs.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select" and name:
            self._select, self._select_first, self._select_has_selected = name, None, False
            self.data.setdefault(name, [])
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in attrs:
                self.data[self._select].append(value)
                self._select_has_selected = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
            self.form_id = "__done__"
        elif tag == "select" and self._select:
            self._select = None
        elif tag == "textarea" and self._textarea:
            value = self._text[1:] if self._text.startswith("\n") else self._text
            self.data.setdefault(self._textarea, []).append(value)
            self._textarea = None


def form_data(html: str, form_id: str | None = None) -> dict[str, list[str]]:
    """The values a browser would submit for a form of the page (first form, or the one with `form_id`)."""
    parser = _FormParser(form_id)
    parser.feed(html)
    return {key: values for key, values in parser.data.items() if values != []}


def database_state() -> dict[str, int]:
    """Rows per table, history included: any write (an edit adds a history row) changes it."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def get_through_job(client, url: str):
    """GET `url` as a person would: a download served at once, or (a live PDF not rendered yet) the
    background job it starts, run by the eager queue once the request's transaction commits, then
    its page, then its result; or a public page saying "being prepared" (503), then the same address
    again. Returns the last response (the file, or the refusal)."""
    from urllib.parse import urlsplit

    from django.test import TestCase
    from django.urls import Resolver404, resolve, reverse

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.get(url)
    if response.status_code == 503 and response.has_header("Retry-After"):
        return client.get(url)  # a public document its job prepared meanwhile (public.jobs): ask again
    if response.status_code != 302:
        return response
    try:
        target = resolve(urlsplit(response.url).path)
    except Resolver404:
        return response
    if target.view_name != "jobs:detail":
        return response
    page = client.get(response.url)
    assert page.status_code == 200, page.status_code
    return client.get(reverse("jobs:download", args=[target.kwargs["pk"]]))
