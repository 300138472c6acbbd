"""Reading pages as a person does: the text inside elements, found by tag or class."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Texts(HTMLParser):
    """The text of every element matching `wanted(tag, classes)`, outermost matches only."""

    def __init__(self, wanted) -> None:
        super().__init__()
        self.wanted = wanted
        self.depth = 0  # open elements inside the current match, the match included
        self.found: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        if self.depth:
            self.depth += 1
        elif self.wanted(tag, (dict(attrs).get("class") or "").split()):
            self.depth = 1
            self.found.append([])

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.found[-1].append(data)


def texts(page: str, *, tag: str | None = None, css: str | None = None) -> list[str]:
    """The whitespace-collapsed text of each element with this tag and/or class."""

    def wanted(found_tag: str, classes: list[str]) -> bool:
        return (tag is None or found_tag == tag) and (css is None or css in classes)

    parser = _Texts(wanted)
    parser.feed(page)
    return [" ".join("".join(parts).split()) for parts in parser.found]


def error_summary(page: str) -> str:
    """What the GOV.UK error summary at the top of a form says."""
    return " ".join(texts(page, css="govuk-error-summary"))
