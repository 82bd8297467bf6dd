"""The whole book as one print document, with a contents page, printed to PDF.

The built site's pages are joined in the order of ``_toc.yml``: each page's
article, its ids prefixed so that they stay unique, its links to other pages
turned into links inside the document, its images and stylesheets pointing back
into the site.  Widgets become printable forms (:mod:`.widgets`); the print
stylesheet (``templates/print.css``) turns the self-check quizzes into numbered
questions with answer lines and hides every control.  The document is printed
twice: the first print tells on which page each chapter starts, the second
prints the contents page with those numbers.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from jinja2 import Environment, PackageLoader, select_autoescape

from .chromium import destinations, print_pdf
from .toc import Page, toc_pages
from .widgets import printable_widget

_TEMPLATES = Path(__file__).parent / "templates"
_WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@dataclass
class Chapter:
    """One page of the book as it is printed."""

    anchor: str
    title: str
    part: str
    body: str
    page: int | None = None


def _anchor(docname: str) -> str:
    return "page-" + re.sub(r"[^a-z0-9]+", "-", docname.lower()).strip("-")


def _rewrite_links(article, page: Page, site: Path, out: Path, anchors: dict[str, str]) -> None:
    """Ids prefixed; links to book pages made internal; assets made relative to ``out``."""
    prefix = anchors[page.docname]
    page_dir = (site / page.docname).parent
    for tag in article.find_all(id=True):
        tag["id"] = f"{prefix}--{tag['id']}"
    for tag in article.find_all(href=True):
        parts = urlsplit(tag["href"])
        if parts.scheme or tag["href"].startswith("//"):
            continue
        if not parts.path:
            tag["href"] = f"#{prefix}--{parts.fragment}" if parts.fragment else f"#{prefix}"
            continue
        target = os.path.normpath(page_dir / parts.path)
        docname = Path(os.path.relpath(target, site)).with_suffix("").as_posix()
        if docname in anchors:
            fragment = f"--{parts.fragment}" if parts.fragment else ""
            tag["href"] = f"#{anchors[docname]}{fragment}"
        else:
            tag["href"] = Path(os.path.relpath(target, out)).as_posix()
    for tag in article.find_all(src=True):
        if not urlsplit(tag["src"]).scheme:
            tag["src"] = Path(os.path.relpath(page_dir / tag["src"], out)).as_posix()


def _printable(article, soup: BeautifulSoup) -> None:
    """Widgets replaced by forms; scripts, buttons and on-screen-only parts removed."""
    state_tag = soup.find("script", type=_WIDGET_STATE)
    state = json.loads(state_tag.string)["state"] if state_tag and state_tag.string else {}
    for view in article.find_all("script", type=_WIDGET_VIEW):
        model_id = json.loads(view.string or "{}").get("model_id", "")
        form = BeautifulSoup(printable_widget(model_id, state), "html.parser")
        cell = view.find_parent("div", class_="cell")
        if cell is not None and cell.find("div", class_="cell_input"):
            cell.find("div", class_="cell_input").decompose()
        view.replace_with(form)
    for tag in article.find_all(["script", "button"]):
        tag.decompose()
    for tag in article.select("a.headerlink, details.course-annotations, .scq-buttons"):
        tag.decompose()


def chapters(site: Path, out: Path, root: Path) -> list[Chapter]:
    """Every page of the book, as printable HTML in reading order."""
    pages = [p for p in toc_pages(root) if (site / f"{p.docname}.html").exists()]
    anchors = {p.docname: _anchor(p.docname) for p in pages}
    result = []
    for page in pages:
        soup = BeautifulSoup((site / f"{page.docname}.html").read_text("utf-8"), "html.parser")
        article = soup.find("article", class_="bd-article") or soup.body
        _printable(article, soup)
        _rewrite_links(article, page, site, out, anchors)
        heading = article.find("h1")
        title = " ".join(heading.get_text(" ").split()) if heading else page.title(root)
        result.append(Chapter(anchors[page.docname], title, page.part, article.decode_contents()))
    return result


def stylesheets(site: Path, out: Path) -> list[str]:
    """The site's stylesheets (as its start page links them), relative to ``out``."""
    soup = BeautifulSoup((site / "index.html").read_text("utf-8"), "html.parser")
    links = []
    for link in soup.find_all("link", rel="stylesheet"):
        href = urlsplit(link["href"]).path
        if not urlsplit(link["href"]).scheme and (site / href).exists():
            links.append(Path(os.path.relpath(site / href, out)).as_posix())
    return links


def start_pages(pdf: Path, book: list[Chapter]) -> None:
    """Set each chapter's page from the PDF's named destinations (the contents links)."""
    pages = destinations(pdf)
    for chapter in book:
        chapter.page = pages.get(chapter.anchor)


def render(book: list[Chapter], styles: list[str], title: str, edition: str) -> str:
    """The print document (Jinja2 template ``book.html.j2``)."""
    environment = Environment(
        loader=PackageLoader("solidarity_course.printing", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    return environment.get_template("book.html.j2").render(
        chapters=book, styles=styles, title=title, edition=edition,
        css=(_TEMPLATES / "print.css").read_text(encoding="utf-8"),
    )


def book_title(site: Path) -> str:
    """The book's title, from the site's start page."""
    soup = BeautifulSoup((site / "index.html").read_text("utf-8"), "html.parser")
    heading = soup.find("h1")
    return " ".join(heading.get_text(" ").split()) if heading else "The course book"


def print_book(site: Path, out: Path, edition: str = "student", root: Path | None = None) -> Path:
    """Print the site at ``site`` to ``out/book.pdf``; return the PDF's path."""
    from solidarity_course.paths import COURSE_ROOT

    out.mkdir(parents=True, exist_ok=True)
    book = chapters(site, out, root or COURSE_ROOT)
    styles = stylesheets(site, out)
    document, pdf = out / "book.html", out / "book.pdf"
    title = book_title(site)
    document.write_text(render(book, styles, title, edition), encoding="utf-8")
    print_pdf(document, pdf)
    start_pages(pdf, book)
    document.write_text(render(book, styles, title, edition), encoding="utf-8")
    return print_pdf(document, pdf)
