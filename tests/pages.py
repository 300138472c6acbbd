"""Read a page as a person does: its parts (headings, links, tables, form errors, banners),
their text and their attributes, from the parsed HTML rather than from the markup's spelling.

So a test says which part of the page shows a fact, and survives a change of markup that a
person would not notice (attribute order, whitespace, escaping, a wrapping element).
"""

from __future__ import annotations

import json

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

NOT_SHOWN = {"script", "style", "template"}
# Elements a browser sets on lines of their own: their text never runs into the next word.
_BLOCK_NAMES = (
    "address article aside blockquote br caption dd details div dl dt fieldset figcaption figure"
    " footer form h1 h2 h3 h4 h5 h6 header hr legend li main nav ol option p pre section summary"
    " table tbody td tfoot th thead tr ul"
)
BLOCKS = frozenset(_BLOCK_NAMES.split())
BLOCK_CLASS = "govuk-!-display-block"  # GOV.UK's way of setting an inline element on its own line


def parse_page(response_or_html) -> BeautifulSoup:
    """The parsed page of a test client's response (or of an HTML string)."""
    if isinstance(response_or_html, str):
        markup = response_or_html
    elif isinstance(response_or_html, bytes):
        markup = response_or_html.decode()
    else:
        markup = response_or_html.get_data(as_text=True)
    return BeautifulSoup(markup, "html.parser")


def text_of(element: Tag | None) -> str:
    """The words an element shows, as a browser lays them out: inline elements run on, block
    elements and line breaks part words, whitespace is collapsed, scripts are left out."""
    assert element is not None, "no such element on the page"
    pieces: list[str] = []
    _shown_text(element, pieces, spoken=False)
    return " ".join("".join(pieces).split())


def spoken_text(element: Tag | None) -> str:
    """The words a screen reader reads: as `text_of`, without what is aria-hidden or drawn."""
    assert element is not None, "no such element on the page"
    pieces: list[str] = []
    _shown_text(element, pieces, spoken=True)
    return " ".join("".join(pieces).split())


def _shown_text(element: Tag, pieces: list[str], *, spoken: bool) -> None:
    for child in element.children:
        if isinstance(child, Tag):
            if child.name in NOT_SHOWN or (spoken and _unspoken(child)):
                continue
            gap = " " if child.name in BLOCKS or BLOCK_CLASS in classes(child) else ""
            pieces.append(gap)
            _shown_text(child, pieces, spoken=spoken)
            pieces.append(gap)
        elif isinstance(child, NavigableString) and not isinstance(child, Comment):
            pieces.append(str(child))


def _unspoken(element: Tag) -> bool:
    return element.get("aria-hidden") == "true" or element.name == "svg"


def attribute(element: Tag, name: str) -> str:
    """An attribute's value as text; a list-valued one (such as class) joined by spaces."""
    value = element.get(name)
    assert value is not None, f"<{element.name}> has no {name}"
    return value if isinstance(value, str) else " ".join(value)


def classes(element: Tag) -> list[str]:
    """The element's class names."""
    return attribute(element, "class").split() if element.has_attr("class") else []


def main(doc: BeautifulSoup) -> Tag:
    """The page's main content, without the header, navigation and footer every page has."""
    found = doc.find("main")
    assert found is not None, "the page has no <main>"
    return found


def heading(doc: BeautifulSoup) -> str:
    """The page's one <h1>."""
    (found,) = doc.find_all("h1")
    return text_of(found)


def title(doc: BeautifulSoup) -> str:
    """The browser tab's title."""
    return text_of(doc.find("title"))


def element(scope: Tag, selector: str) -> Tag:
    """The one element matching a CSS selector, failing if there is none."""
    found = scope.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


def texts(scope: Tag, selector: str) -> list[str]:
    """The text of every element matching a CSS selector, in page order."""
    return [text_of(found) for found in scope.select(selector)]


def links(scope: Tag) -> list[tuple[str, str]]:
    """Every link as (its text, where it goes), in page order."""
    return [(text_of(a), attribute(a, "href")) for a in scope.find_all("a", href=True)]


def hrefs(scope: Tag) -> list[str]:
    return [attribute(a, "href") for a in scope.find_all("a", href=True)]


def find_link(scope: Tag, text: str) -> Tag:
    """The link whose text is `text` (or starts with it, for links with hidden context)."""
    for a in scope.find_all("a", href=True):
        shown = text_of(a)
        if shown == text or shown.startswith(text + " "):
            return a
    raise AssertionError(f"no link {text!r}; the links are {links(scope)}")


def link_to(scope: Tag, href: str) -> Tag:
    """The first link that goes to `href`."""
    found = scope.find("a", href=href)
    assert found is not None, f"no link to {href!r}; the links are {hrefs(scope)}"
    return found


def table(scope: Tag, caption: str) -> Tag:
    """The table whose caption includes `caption`."""
    for found in scope.find_all("table"):
        if caption in text_of(found.find("caption") or Tag(name="caption")):
            return found
    shown = [text_of(t.caption) for t in scope.find_all("table") if t.caption]
    raise AssertionError(f"no table captioned {caption!r}; the captions are {shown}")


def table_headings(found: Tag) -> list[str]:
    """The column headings of a table."""
    return [text_of(th) for th in found.select("thead th")]


def table_rows(found: Tag) -> list[list[str]]:
    """The text of each cell (row headings included) of each body row of a table."""
    body = found.find("tbody") or found
    return [[text_of(cell) for cell in row.find_all(["th", "td"])] for row in body.find_all("tr")]


def row_of(found: Tag, first_cell: str) -> list[str]:
    """The cells of the body row that begins with `first_cell`."""
    for cells in table_rows(found):
        if cells and cells[0] == first_cell:
            return cells
    raise AssertionError(f"no row for {first_cell!r} in {table_rows(found)}")


def summary_list(scope: Tag) -> dict[str, str]:
    """A GOV.UK summary list (key: value) as a dictionary; the first on the page or `scope`."""
    found = scope if "govuk-summary-list" in classes(scope) else scope.find("dl")
    assert found is not None, "no summary list on the page"
    return {
        text_of(row.find("dt")): text_of(row.find("dd"))
        for row in found.find_all("div", class_="govuk-summary-list__row")
    }


def summary_lists(scope: Tag) -> list[dict[str, str]]:
    """Every summary list in `scope`, in page order."""
    return [summary_list(found) for found in scope.find_all("dl", class_="govuk-summary-list")]


def column(found: Tag, name: str) -> list[str]:
    """The cells under one column heading of a table, top to bottom."""
    index = table_headings(found).index(name)
    return [cells[index] for cells in table_rows(found)]


def buttons(scope: Tag) -> list[str]:
    """The words on every button in `scope`: what a person can do there."""
    return [text_of(found) for found in scope.select("button, input[type=submit]")]


def summary_errors(doc: BeautifulSoup) -> list[tuple[str, str]]:
    """The error summary at the top of a form page, as (message, the field it links to); the
    link is '' for a problem with the whole form rather than one field."""
    summary = doc.find(class_="govuk-error-summary")
    if summary is None:
        return []
    found: list[tuple[str, str]] = []
    for item in summary.select(".govuk-error-summary__list li"):
        link = item.find("a", href=True)
        found.append((text_of(item), attribute(link, "href") if link else ""))
    return found


def field_error(doc: BeautifulSoup, field_id: str) -> str | None:
    """The error message shown beside the field with this id, or None when it has none."""
    field = doc.find(id=field_id)
    assert field is not None, f"no field with id {field_id!r}"
    for group in field.find_parents(class_="govuk-form-group"):
        message = group.find(class_="govuk-error-message")
        if message is not None:
            return text_of(message).removeprefix("Error:").strip()
    return None


def banners(doc: BeautifulSoup) -> list[str]:
    """The text of each notification banner ('Done', 'Important') at the top of the page."""
    return [
        text_of(found.find(class_="govuk-notification-banner__content"))
        for found in doc.find_all(class_="govuk-notification-banner")
    ]


def tags(scope: Tag) -> list[str]:
    """The words of each GOV.UK tag (a status such as 'Draft' or 'Overdue')."""
    return texts(scope, ".govuk-tag")


def tag_colour(tag: Tag) -> str | None:
    """A GOV.UK tag's colour, from its modifier class (`govuk-tag--green` is 'green')."""
    for name in classes(tag):
        if name.startswith("govuk-tag--"):
            return name.removeprefix("govuk-tag--")
    return None


def field_value(doc: BeautifulSoup, name: str) -> str | None:
    """What a form field holds now: an input's value or a textarea's text."""
    found = doc.find(["input", "textarea", "select"], attrs={"name": name})
    assert found is not None, f"no field named {name!r}"
    if found.name == "textarea":
        return found.get_text()
    if found.name == "select":
        chosen = found.find("option", selected=True)
        return attribute(chosen, "value") if chosen else None
    return attribute(found, "value") if found.has_attr("value") else None


def csrf_token(doc: BeautifulSoup) -> str | None:
    """The CSRF token of the page's first form that carries one."""
    found = doc.find("input", attrs={"name": "csrf_token"})
    return attribute(found, "value") if found else None


def mentions(doc: BeautifulSoup, words: str) -> bool:
    """Whether `words` appear anywhere a person or a program reading the page could find them:
    its text, a link, any attribute, or a script's data. For checking that nothing leaks."""
    if words in doc.get_text():
        return True
    for found in doc.find_all(True):
        for value in found.attrs.values():
            joined = " ".join(value) if isinstance(value, list) else value
            if words in joined:
                return True
    return False


def lede(doc: BeautifulSoup) -> str:
    """The paragraph under the page's heading: what an error or confirmation page says."""
    (found,) = doc.find_all("h1")
    return text_of(found.find_next("p"))


def listed_datasets(scope: Tag) -> list[str]:
    """The titles of the datasets a listing shows (search results, a topic, a publisher)."""
    return texts(scope, ".app-dataset-list__item .govuk-heading-s a")


def results_count(doc: BeautifulSoup) -> str:
    """What a search says it found, such as '3 datasets found'."""
    return text_of(doc.find(role="status"))


def choices(scope: Tag, name: str) -> list[tuple[str, bool]]:
    """The radios or checkboxes called `name`, as (value, whether it is chosen)."""
    found = scope.find_all("input", attrs={"name": name, "type": ["radio", "checkbox"]})
    return [(attribute(choice, "value"), choice.has_attr("checked")) for choice in found]


def structured_data(doc: BeautifulSoup) -> list:
    """What the page's schema.org JSON-LD blocks say, as data."""
    return [
        json.loads(script.get_text())
        for script in doc.find_all("script", attrs={"type": "application/ld+json"})
    ]
