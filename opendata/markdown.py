"""Markdown from publishers rendered to HTML that is safe to show: no scripts, no raw HTML."""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p", "a", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote",
    "h2", "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "br", "hr",
}  # fmt: skip

CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<h2>": '<h2 class="govuk-heading-m">',
    "<h3>": '<h3 class="govuk-heading-s">',
    "<table>": '<table class="govuk-table">',
}


def render_markdown(text: str | None) -> Markup:
    html = _parser.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    for plain, styled in CLASSES.items():
        clean = clean.replace(plain, styled)
    clean = clean.replace("<a ", '<a class="govuk-link" ')
    return Markup(clean)


def plain_text(text: str | None) -> str:
    """Markdown as the plain words a reader sees, for summaries in listings: no `*`, `#` or
    link syntax, no HTML (escaped again when shown), whitespace run together."""
    words = nh3.clean(_parser.render(text or ""), tags=set())
    return re.sub(r"\s+", " ", html.unescape(words)).strip()
