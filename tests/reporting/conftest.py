"""Helpers for the bilan's tests: reading a PDF back (the demo plan and the small plan are in
tests/conftest.py)."""

import re
import subprocess
import tempfile


def pdf_text(pdf: bytes, *, layout: bool = False) -> str:
    """The PDF's text as poppler's pdftotext reads it (pages separated by form feeds)."""
    assert pdf.startswith(b"%PDF-"), "not a PDF"
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + ["-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()


def pdf_info(pdf: bytes, *options: str) -> str:
    """What poppler's pdfinfo says of the PDF (`-struct-text`: its tagged structure, with the text)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        return subprocess.run(
            ["pdfinfo", *options, handle.name], capture_output=True, check=True, text=True
        ).stdout


def pdf_headings(pdf: bytes) -> list[tuple[str, str]]:
    """The headings of a tagged PDF's structure tree, in order: (H1..H6, their text)."""
    headings, current, depth = [], None, 0
    for line in pdf_info(pdf, "-struct-text").splitlines():
        indent = len(line) - len(line.lstrip())
        tag = re.match(r"\s*(H[1-6])\b", line)
        if tag:
            current, depth = [tag[1], ""], indent
            headings.append(current)
        elif current and indent > depth and line.strip().startswith('"'):
            current[1] += " " + line.strip().strip('"')  # one string per line of the PDF
        elif current and indent <= depth:
            current = None
    return [(tag, squash(text)) for tag, text in headings]


def squash(text: str) -> str:
    """Whitespace collapsed: a title wrapped over two lines of the PDF still reads as one string."""
    return " ".join(text.split())
