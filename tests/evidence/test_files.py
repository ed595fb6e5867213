"""The content checks of evidence files, on real small files of each type (evidence.files)."""

import hashlib
import io
import zipfile

import pytest

from evidence import files
from tests.evidence.conftest import (
    docx_bytes,
    image_bytes,
    odf_bytes,
    pdf_bytes,
    upload,
    xlsx_bytes,
    zip_bytes,
)

MAX = 20 * 1024 * 1024

ACCEPTED = [
    ("pv.pdf", pdf_bytes, files.PDF),
    ("note.odt", lambda: odf_bytes(files.ODF_TEXT), files.ODT),
    ("tableau.ods", lambda: odf_bytes(files.ODF_SPREADSHEET), files.ODS),
    ("compte-rendu.docx", docx_bytes, files.DOCX),
    ("heures.xlsx", xlsx_bytes, files.XLSX),
    ("heures.csv", lambda: "marché;heures\nRoutes;1 200\n".encode(), files.CSV),
    ("ancien.csv", lambda: "marché;heures\nRoutes;1 200\n".encode("cp1252"), files.CSV),
    ("photo.png", lambda: image_bytes("PNG"), files.PNG),
    ("photo.jpg", lambda: image_bytes("JPEG"), files.JPEG),
    ("photo.JPEG", lambda: image_bytes("JPEG"), files.JPEG),
]


@pytest.mark.parametrize(("name", "build", "expected"), ACCEPTED, ids=[case[0] for case in ACCEPTED])
def test_each_accepted_type_is_recognised_by_its_content(name, build, expected):
    content = build()
    checked = files.check_upload(upload(name, content), max_size=MAX)
    assert checked.type is expected
    assert checked.name == name.lower()  # the extension as the content's: "photo.JPEG" -> "photo.jpeg"
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


def test_a_name_without_extension_gets_the_content_s():
    assert files.check_upload(upload("scan", image_bytes("PNG")), max_size=MAX).name == "scan.png"


REFUSED = [
    (
        "an executable renamed .pdf",
        "rapport.pdf",
        lambda: b"MZ\x90\x00\x03" + b"\x00" * 200,
        "n'est pas d'un type",
    ),
    (
        "a web page renamed .pdf",
        "rapport.pdf",
        lambda: b"<html><script>alert(1)</script></html>",
        "type accepté",
    ),
    (
        "a web page renamed .csv",
        "heures.csv",
        lambda: b"  <!DOCTYPE html><html></html>",
        "pas un fichier CSV",
    ),
    ("binary renamed .csv", "heures.csv", lambda: b"a;b\n\x01\x02\x03;d\n", "pas un fichier CSV"),
    ("a plain zip renamed .docx", "compte-rendu.docx", zip_bytes, "n'est pas d'un type"),
    ("a docx renamed .xlsx", "heures.xlsx", docx_bytes, "celui d'un fichier DOCX"),
    ("an xlsx renamed .docx", "note.docx", xlsx_bytes, "celui d'un fichier XLSX"),
    ("a PDF renamed .png", "photo.png", pdf_bytes, "celui d'un fichier PDF, pas d'un fichier .png"),
    ("an ODT renamed .ods", "tableau.ods", lambda: odf_bytes(files.ODF_TEXT), "celui d'un fichier ODT"),
    ("a truncated zip", "note.docx", lambda: docx_bytes()[:40], "endommagé ou illisible"),
    ("an empty file", "vide.pdf", lambda: b"", "est vide"),
]


@pytest.mark.parametrize(("label", "name", "build", "message"), REFUSED, ids=[case[0] for case in REFUSED])
def test_a_file_whose_content_is_not_what_its_name_says_is_refused(label, name, build, message):
    with pytest.raises(files.FileRefused, match=message):
        files.check_upload(upload(name, build()), max_size=MAX)


def test_an_office_file_with_macros_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as source:
        for entry in source.namelist():
            archive.writestr(entry, source.read(entry))
        archive.writestr("xl/vbaProject.bin", b"\x00" * 10)
    with pytest.raises(files.FileRefused, match="n'est pas d'un type accepté"):
        files.check_upload(upload("heures.xlsx", buffer.getvalue()), max_size=MAX)


def test_an_oversized_file_is_refused_before_it_is_read_and_when_its_size_lies():
    content = pdf_bytes()
    with pytest.raises(files.FileRefused, match=r"la limite est de 1 ko par fichier"):
        files.check_upload(upload("pv.pdf", content), max_size=1024)
    lying = upload("pv.pdf", content)
    lying.size = 10  # the size announced by the client is not trusted: the bytes are counted
    with pytest.raises(files.FileRefused, match=r"la limite est de 1 ko"):
        files.check_upload(lying, max_size=1024)


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../x.pdf", "x.pdf"),
        ("..\\..\\windows\\x.pdf", "x.pdf"),
        ("<script>alert(1)</script>.pdf", "script.pdf"),  # "/" is a folder's separator: dropped with it
        ("<script>.pdf", "script.pdf"),
        ("rapport\x00\x1b[31m final.pdf", "rapport _31m final.pdf"),
        (".htaccess.pdf", "htaccess.pdf"),
        ("<>.pdf", "document.pdf"),
        ("Procès-verbal 12/03.pdf", "03.pdf"),
    ],
)
def test_names_are_made_safe(given, shown):
    assert files.safe_file_name(given) == shown


def test_a_very_long_name_is_cut_keeping_its_extension():
    name = files.safe_file_name("é" * 500 + ".pdf")
    assert len(name) == files.NAME_MAX_LENGTH and name.endswith("é.pdf")


def test_sizes_read_the_french_way():
    assert [files.megabytes(n) for n in (500, 12 * 1024, 20 * 1024 * 1024, 1536 * 1024)] == [
        "1 ko",
        "12 ko",
        "20 Mo",
        "1,5 Mo",
    ]
