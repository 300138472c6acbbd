"""Many users at once on the demo catalogue: what `python -m benchmarks.load` runs with locust.

Residents browse the home page, search and filter /datasets, read dataset and file pages,
explore tables and download a file as it was uploaded (from the file store: the object store on
the production set-up); developers page through the data API, call the CKAN Action API and
export CSV; now and then a publisher signs in and uploads a file to a draft. Each request is
named for its page kind, so the figures come out per kind. What to ask for (dataset names,
tables, facet values, the publisher's account and draft) is read from the JSON file named by
`OPENDATA_LOAD_TARGETS`, written by `benchmarks.load` from the catalogue it serves.
"""

from __future__ import annotations

import io
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task

TARGETS = json.loads(Path(os.environ["OPENDATA_LOAD_TARGETS"]).read_text(encoding="utf-8"))
WORDS = ("school", "waste", "budget", "housing", "air quality", "parking", "spend", "library")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _dataset() -> str:
    return random.choice(TARGETS["datasets"])


def _table() -> dict:
    return random.choice(TARGETS["tables"])


class Resident(HttpUser):
    """Someone browsing and searching the catalogue in a browser."""

    weight = 12
    wait_time = between(0.1, 0.5)

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(3)
    def search(self) -> None:
        self.client.get("/datasets", params={"q": random.choice(WORDS)}, name="search")

    @task(2)
    def filter(self) -> None:
        facet, value = random.choice(TARGETS["facets"])
        params = {facet: value, "sort": random.choice(("relevance", "updated", "name"))}
        self.client.get("/datasets", params=params, name="search with filters")

    @task(4)
    def dataset(self) -> None:
        self.client.get(f"/datasets/{_dataset()}", name="dataset page")

    @task(2)
    def resource(self) -> None:
        table = _table()
        self.client.get(f"/datasets/{table['dataset']}/resources/{table['id']}", name="file page")

    @task(1)
    def explore(self) -> None:
        table = _table()
        url = f"/datasets/{table['dataset']}/resources/{table['id']}/explore"
        self.client.get(url, name="table explorer")

    @task(1)
    def download(self) -> None:
        table = _table()
        url = f"/datasets/{table['dataset']}/resources/{table['id']}/download"
        self.client.get(url, name="file download")


class Developer(HttpUser):
    """A script reading the APIs: paging a table, CKAN actions and a CSV export."""

    weight = 6
    wait_time = between(0.05, 0.25)

    @task(3)
    def page_table(self) -> None:
        url: str | None = f"/api/data/{_table()['id']}?_size=50"
        for _ in range(3):
            with self.client.get(url, name="data API page", catch_response=True) as answer:
                url = answer.json().get("next_url") if answer.ok else None
            if not url:
                break

    @task(2)
    def package_search(self) -> None:
        params = {"q": random.choice(WORDS), "rows": 20}
        self.client.get("/api/3/action/package_search", params=params, name="CKAN package_search")

    @task(2)
    def package_show(self) -> None:
        params = {"id": _dataset()}
        self.client.get("/api/3/action/package_show", params=params, name="CKAN package_show")

    @task(2)
    def datastore_search(self) -> None:
        params = {"resource_id": _table()["id"], "limit": 50}
        url = "/api/3/action/datastore_search"
        self.client.get(url, params=params, name="CKAN datastore_search")

    @task(1)
    def export(self) -> None:
        self.client.get(f"/api/data/{_table()['id']}.csv", name="CSV export")


class Publisher(HttpUser):
    """A council officer who signs in and uploads a small file to a draft dataset: one of
    them, however many users there are."""

    fixed_count = 1
    wait_time = between(1.0, 3.0)

    def on_start(self) -> None:
        token = self._token("/login", "publisher: sign-in form")
        form = {**TARGETS["publisher"], "csrf_token": token}
        self.client.post("/login", data=form, name="publisher: sign in")

    @task
    def upload(self) -> None:
        draft = TARGETS["draft"]
        token = self._token(f"/publish/datasets/{draft}", "publisher: dataset page")
        rows = "\r\n".join(f"{n},{random.randint(0, 999)}" for n in range(20))
        csv = io.BytesIO(f"ward,count\r\n{rows}\r\n".encode())
        form = {"csrf_token": token, "title": "Counts", "description": "Load test"}
        files = {"file": ("counts.csv", csv, "text/csv")}
        url = f"/publish/datasets/{draft}/files"
        self.client.post(url, data=form, files=files, name="publisher: upload a file")

    def _token(self, url: str, name: str) -> str:
        with self.client.get(url, name=name, catch_response=True) as answer:
            found = CSRF.search(answer.text or "")
            if found is None:
                answer.failure(f"{url} held no form token")
                return ""
            return found.group(1)
