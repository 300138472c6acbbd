"""A withdrawn dataset leaves a tombstone at every URL it had, so FOI links never just break."""

from __future__ import annotations

from catalog.permissions import Actor
from catalog.publishing.workflow import dataset_withdraw
from tests.pages import heading, mentions, parse_page, text_of

REASON = "Personal data was found in the supplier names; a redacted file will follow."


def test_withdrawn_dataset_answers_410_with_reason_and_date_everywhere(client, catalogue):
    dataset = catalogue.dataset(
        "procurement-card", title="Procurement card spend", files={"card.csv": b"Amount\n12\n"}
    )
    resource_id = dataset.resources[0].id
    base = f"/datasets/procurement-card/resources/{resource_id}"
    dataset_withdraw(
        catalogue.session,
        actor=Actor.system("data protection officer"),
        dataset=dataset,
        reason=REASON,
    )
    for url in [
        "/datasets/procurement-card",
        base,
        f"{base}/versions/1",
        f"{base}/download/card.csv",
    ]:
        response = client.get(url)
        assert response.status_code == 410, url
        page = parse_page(response)
        assert heading(page) == "Procurement card spend"
        assert page.find("h2", string="Why it was withdrawn").find_next("p").text == REASON
        warning = text_of(page.find(class_="govuk-warning-text"))
        assert "This dataset was withdrawn on" in warning
        assert not mentions(page, "Amount")
    for listing in ("/datasets", "/datasets?q=procurement"):
        assert not mentions(parse_page(client.get(listing)), "Procurement card spend")
