"""The model document as PDF: the HTML document laid out by WeasyPrint.

WeasyPrint (https://weasyprint.org) renders HTML and CSS paged media (``@page``,
page breaks, page numbers) without a browser. It is a Python package that needs the
Pango text library from the system (Debian/Ubuntu: ``apt-get install libpango-1.0-0
libpangoft2-1.0-0``; macOS: ``brew install pango``); install it with the ``pdf`` extra
(``pip install "mkdocs-governance[pdf]"``). Without it the ``html`` and ``docx`` formats
keep working: print the HTML file from a browser instead.
"""

from __future__ import annotations


class PdfUnavailable(RuntimeError):
    """WeasyPrint, or the system libraries it needs, is missing."""


def render_pdf(html: bytes) -> bytes:
    """The HTML document as PDF bytes.

    Raises:
        PdfUnavailable: WeasyPrint cannot be imported (the message says what to install).
    """
    try:
        import weasyprint
    except (ImportError, OSError) as missing:  # OSError: Pango not found by WeasyPrint
        raise PdfUnavailable(
            "the pdf format needs WeasyPrint and the Pango library: pip install "
            '"mkdocs-governance[pdf]" (and, on Debian/Ubuntu, apt-get install '
            f"libpango-1.0-0 libpangoft2-1.0-0). {missing}. The html and docx formats "
            "work without it."
        ) from missing
    # No base URL: the document is self-contained, and nothing may be fetched for it.
    document = weasyprint.HTML(
        string=html.decode("utf-8"), base_url=None, url_fetcher=_refuse_fetch
    )
    return bytes(document.write_pdf())


def _refuse_fetch(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    """Fetch nothing: a record's link or image must not make the PDF renderer reach out."""
    raise ValueError(f"the model document fetches nothing ({url})")
