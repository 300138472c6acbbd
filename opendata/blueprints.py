"""Every blueprint of the app, in the order their routes are registered: public pages, the
publishers' pages, the APIs and the open metadata."""

from __future__ import annotations

from flask import Flask

from opendata import security_txt
from opendata.api import accounts as api_accounts
from opendata.api import ckan as api_ckan
from opendata.api import data as api_data
from opendata.api import dcat, feeds, openapi
from opendata.api import indicators as api_indicators
from opendata.web import (
    account,
    assets,
    browse,
    calendar,
    calendar_staff,
    checks,
    citations,
    datapackage,
    datasets,
    downloads,
    dumps,
    explorer,
    home,
    indicators,
    password_reset,
    publish,
    resources,
    review,
    runs,
    schemas,
    search,
    sitemap,
    statements,
    tokens,
    transparency,
    transparency_staff,
    uploads,
)
from opendata.web import auth as sign_in


def register(app: Flask) -> None:
    pages = [assets, home, search, datasets, resources, explorer, downloads, browse, statements]
    pages += [indicators]
    pages += [schemas, datapackage, calendar, citations, transparency]
    publishing = [sign_in, publish, uploads, review, tokens, checks, calendar_staff]
    publishing += [transparency_staff]
    publishing += [account, password_reset]
    publishing += [runs]
    open_metadata = [dcat, feeds, sitemap, openapi, dumps, security_txt]
    apis = [api_indicators, api_accounts, api_ckan, api_data]
    for module in (*pages, *publishing, *apis, *open_metadata):
        app.register_blueprint(module.bp)
