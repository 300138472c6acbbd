"""'Cite this data': every released version has a citation (text, BibTeX, CSL JSON) whose
permanent URL leads to exactly the cited bytes, even after a correction; nothing unreleased
can be cited."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import datetime, timedelta

import pytest

from catalog.clock import frozen_at
from catalog.publishing.resources import Upload, version_add
from tests.conftest import ACTOR
from tests.pages import find_link, hrefs, main, parse_page, summary_list, text_of

FIRST = b"Supplier,Amount\r\nAcme Ltd,1200.00\r\n"
CORRECTED = b"Supplier,Amount\r\nAcme Ltd,1250.00\r\n"
RELEASED = datetime(2027, 3, 31, 23, 30)  # 00:30 on 1 April in the UK (BST)
ATTRIBUTION = "Contains public sector information licensed under the Open Government Licence v3.0."


@pytest.fixture(autouse=True)
def after_release():
    with frozen_at(RELEASED + timedelta(days=30)):
        yield


@pytest.fixture
def spend(catalogue):
    with frozen_at(RELEASED):
        dataset = catalogue.dataset(
            "spend-over-500",
            title="Spend over £500 & procurement",
            files={"spend-q3.csv": FIRST},
            publish=RELEASED,
        )
    return dataset.resources[0]


def _base(spend) -> str:
    return f"/datasets/spend-over-500/resources/{spend.id}"


def _correct(catalogue, resource, content=CORRECTED, **options):
    with frozen_at(RELEASED + timedelta(days=10)):
        return version_add(
            catalogue.session,
            store=catalogue.store,
            actor=ACTOR,
            resource=resource,
            upload=Upload(stream=io.BytesIO(content), filename="spend-q3.csv"),
            note="Corrected an amount",
            **options,
        )


def test_the_version_page_shows_a_citation_to_copy(client, app, spend):
    base_url = app.config["SETTINGS"].base_url
    block = parse_page(client.get(f"{_base(spend)}/versions/1")).find(id="cite")
    permanent = f"{base_url}{_base(spend)}/versions/1"
    expected = (
        "Children, Education and Communities (2027). Spend over £500 & procurement: "
        f"spend-q3.csv, version 1. Released 1 April 2027. {permanent}. {ATTRIBUTION}"
    )
    assert text_of(block.find(id="citation-text")) == expected
    about = summary_list(block)
    assert about["Publisher"] == "Children, Education and Communities"
    assert about["Released"].startswith("1 April 2027")
    assert find_link(block, permanent)["href"] == permanent
    assert find_link(block, "BibTeX")["href"] == f"{_base(spend)}/versions/1/cite.bib"
    assert find_link(block, "CSL JSON")["href"] == f"{_base(spend)}/versions/1/cite.json"
    (script,) = block.find_all("script", type="module")
    assert script["src"].endswith("copy-citation.js")
    assert client.get(script["src"]).status_code == 200
    latest = parse_page(client.get(_base(spend)))
    assert latest.find(id="cite") is not None
    assert f"{_base(spend)}/versions/1#cite" in hrefs(latest)


def test_csl_json_is_a_dataset_item(client, app, spend):
    response = client.get(f"{_base(spend)}/versions/1/cite.json")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.citationstyles.csl+json"
    assert response.headers["ETag"]
    (item,) = json.loads(response.data)
    assert item["type"] == "dataset"
    assert item["issued"] == {"date-parts": [[2027, 4, 1]]}
    assert item["URL"] == f"{app.config['SETTINGS'].base_url}{_base(spend)}/versions/1"
    assert item["publisher"] == "Children, Education and Communities"
    assert item["version"] == "1"
    assert item["title"] == "Spend over £500 & procurement: spend-q3.csv"
    assert item["note"] == ATTRIBUTION


def test_bibtex_has_a_stable_key_and_escaped_fields(client, app, spend):
    response = client.get(f"{_base(spend)}/versions/1/cite.bib")
    assert response.status_code == 200
    assert response.mimetype == "application/x-bibtex"
    text = response.get_data(as_text=True)
    key = re.match(r"@misc\{([^,]+),\n", text)
    assert key and key.group(1) == f"spend-over-500-{spend.id[:8]}-v1"
    fields = dict(re.findall(r"^  (\w+) = (.*?),?$", text, re.MULTILINE))
    assert fields["title"] == r"{{Spend over £500 \& procurement: spend-q3.csv}}"
    assert fields["author"] == "{{Children, Education and Communities}}"
    assert fields["url"] == f"{{{app.config['SETTINGS'].base_url}{_base(spend)}/versions/1}}"
    assert (fields["version"], fields["year"], fields["month"]) == ("{1}", "{2027}", "apr")
    assert text.count("{") == text.count("}") and text.rstrip().endswith("}")
    assert client.get(f"{_base(spend)}/versions/1/cite.bib").get_data(as_text=True) == text


def test_a_citation_still_leads_to_its_own_bytes_after_a_correction(client, catalogue, spend):
    (cited,) = json.loads(client.get(f"{_base(spend)}/versions/1/cite.json").data)
    _correct(catalogue, spend)
    (again,) = json.loads(client.get(f"{_base(spend)}/versions/1/cite.json").data)
    assert again == cited
    (second,) = json.loads(client.get(f"{_base(spend)}/versions/2/cite.json").data)
    assert second["URL"] != cited["URL"] and second["version"] == "2"

    page = client.get(cited["URL"])
    shown = parse_page(page)
    assert page.status_code == 200
    assert text_of(shown.find(class_="govuk-inset-text")).startswith(
        "You are looking at version 1 of 2"
    )
    link = find_link(main(shown), "Download spend-q3.csv")["href"]
    assert "/versions/1/download/" in link
    download = client.get(link)
    assert hashlib.sha256(download.data).hexdigest() == hashlib.sha256(FIRST).hexdigest()
    latest = client.get(f"{_base(spend)}/download/spend-q3.csv")
    assert hashlib.sha256(latest.data).hexdigest() == hashlib.sha256(CORRECTED).hexdigest()


@pytest.mark.parametrize("suffix", ["cite.bib", "cite.json"])
def test_an_unreleased_version_cannot_be_cited(client, catalogue, spend, suffix):
    _correct(catalogue, spend, release_at=datetime(2031, 1, 1, 9, 30))
    assert client.get(f"{_base(spend)}/versions/2/{suffix}").status_code == 404
    assert client.get(f"{_base(spend)}/versions/9/{suffix}").status_code == 404
    draft = catalogue.dataset("draft-spend", files={"d.csv": FIRST}, publish=False)
    url = f"/datasets/draft-spend/resources/{draft.resources[0].id}/versions/1/{suffix}"
    response = client.get(url)
    assert response.status_code == 404
    assert "draft-spend" not in response.get_data(as_text=True).replace(url, "")
