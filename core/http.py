"""Downloads: the one helper every workbook and PDF of the site is served with."""

from pathlib import PurePath

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

CONTENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pdf": "application/pdf",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".zip": "application/zip",
}


def attach(response: HttpResponse, filename: str) -> HttpResponse:
    """Mark `response` as a file to save under `filename` (non-ASCII names encoded as RFC 6266 says)."""
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def download(data: bytes, filename: str, *, etag: str | None = None) -> HttpResponse:
    """A file of the internal site (workbook, PDF): its type read from the name, never stored by a
    shared cache (it holds data of the moment, read with an account). `etag` names the state of the
    data it was built from, when known."""
    response = HttpResponse(data, content_type=CONTENT_TYPES[PurePath(filename).suffix])
    return _private(response, filename, etag)


def download_stream(file, filename: str, *, etag: str | None = None) -> FileResponse:
    """As `download`, for a file too big to hold in memory (an archive of gigabytes): sent by chunks
    from the open `file` (closed once sent)."""
    response = FileResponse(file, content_type=CONTENT_TYPES[PurePath(filename).suffix])
    return _private(response, filename, etag)


def _private(response, filename: str, etag: str | None):
    response["Cache-Control"] = "private, no-store"
    if etag:
        response["ETag"] = etag if etag.startswith('"') else f'"{etag}"'
    return attach(response, filename)
