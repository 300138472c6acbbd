"""Settings, read only from `OPENDATA_*` environment variables, with defaults that just work."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from catalog.publishing.links import LinkRules
from catalog.storage.cache import COPIES_BYTES


@dataclass(frozen=True)
class Settings:
    instance: Path
    database_url: str
    secret_key: str
    site_name: str
    base_url: str
    max_upload_bytes: int
    max_load_bytes: int = 10 * 1024**3
    rate_limit: str | None = None
    token_rate_limit: str | None = None
    redis_url: str | None = None
    link_allow_hosts: frozenset[str] = frozenset()
    proxy_hops: int = 0
    password_reset_hours: float = 1.0
    mail_server: str | None = None
    mail_from: str | None = None
    security_contact: str | None = None
    # The area the council serves, by its ONS GSS code and name: the place its indicators
    # cover and the one a dataset's "City of York" spatial coverage resolves to.
    area_code: str = "E06000014"
    area_name: str = "City of York"
    # A role mailbox for questions about the data, the contact of datasets that name none.
    contact_email: str | None = None
    # The map previews' tile address (Leaflet's {z}/{x}/{y} template); its host joins the
    # pages' Content-Security-Policy for images.
    map_tiles: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    # Where files live: the instance's store folder, or `s3://bucket/prefix` (boto3 takes the
    # endpoint and credentials from its usual AWS_* variables); with `storage_redirect` a
    # download is sent to a short-lived presigned address instead of streamed through.
    storage_url: str | None = None
    storage_redirect: bool = False
    storage_copies_bytes: int = COPIES_BYTES
    # The search backend: "whoosh" (a folder in the instance) or "postgres" (the catalogue's
    # own PostgreSQL database, the default when it is one).
    search: str = "whoosh"
    # Anonymous public answers kept and served again until the public catalogue changes
    # (`opendata.public_cache`): in Redis when `redis_url` is set, else in each process.
    public_cache: bool = True

    @property
    def link_rules(self) -> LinkRules:
        """What a linked resource may point to; the allow-list exists for tests only."""
        return LinkRules(allow_hosts=self.link_allow_hosts)

    @property
    def store_path(self) -> Path:
        return self.instance / "store"

    @property
    def scratch_path(self) -> Path:
        """Temporary files on their way to or from an object store."""
        return self.instance / "tmp"

    @property
    def copies_path(self) -> Path:
        """Local copies of object-store files that readers needing a path have fetched."""
        return self.instance / "copies"

    @property
    def search_path(self) -> Path:
        return self.instance / "search"


SEARCH_BACKENDS = ("whoosh", "postgres")


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    instance = Path(env.get("OPENDATA_INSTANCE", "instance")).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    database_url = env.get("OPENDATA_DATABASE_URL") or f"sqlite:///{instance / 'catalogue.sqlite'}"
    return Settings(
        instance=instance,
        database_url=database_url,
        secret_key=env.get("OPENDATA_SECRET_KEY") or _instance_secret(instance),
        site_name=env.get("OPENDATA_SITE_NAME", "York Open Data"),
        base_url=env.get("OPENDATA_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        max_upload_bytes=int(env.get("OPENDATA_MAX_UPLOAD_BYTES", str(100 * 1024 * 1024))),
        max_load_bytes=int(env.get("OPENDATA_MAX_LOAD_BYTES") or 10 * 1024**3),
        rate_limit=env.get("OPENDATA_RATE_LIMIT") or None,
        token_rate_limit=env.get("OPENDATA_TOKEN_RATE_LIMIT") or None,
        redis_url=env.get("OPENDATA_REDIS_URL") or None,
        link_allow_hosts=frozenset(
            host.strip().lower()
            for host in env.get("OPENDATA_LINK_ALLOW_HOSTS", "").split(",")
            if host.strip()
        ),
        proxy_hops=int(env.get("OPENDATA_PROXY_HOPS") or 0),
        password_reset_hours=float(env.get("OPENDATA_PASSWORD_RESET_HOURS") or 1),
        mail_server=env.get("OPENDATA_MAIL_SERVER") or None,
        mail_from=env.get("OPENDATA_MAIL_FROM") or None,
        security_contact=env.get("OPENDATA_SECURITY_CONTACT") or None,
        area_code=env.get("OPENDATA_AREA_CODE") or Settings.area_code,
        area_name=env.get("OPENDATA_AREA_NAME") or Settings.area_name,
        contact_email=env.get("OPENDATA_CONTACT_EMAIL") or None,
        map_tiles=env.get("OPENDATA_MAP_TILES") or Settings.map_tiles,
        storage_url=env.get("OPENDATA_STORAGE_URL") or None,
        storage_redirect=env.get("OPENDATA_STORAGE_REDIRECT", "").lower() in {"1", "true", "yes"},
        storage_copies_bytes=int(env.get("OPENDATA_STORAGE_COPIES_BYTES") or COPIES_BYTES),
        search=_search_backend(env.get("OPENDATA_SEARCH"), database_url),
        public_cache=env.get("OPENDATA_PUBLIC_CACHE", "").strip().lower() not in {"off", "0"},
    )


def _search_backend(chosen: str | None, database_url: str) -> str:
    """PostgreSQL search needs the catalogue in PostgreSQL, and is the default there."""
    on_postgres = database_url.startswith("postgresql")
    search = (chosen or "").strip().lower() or ("postgres" if on_postgres else "whoosh")
    if search not in SEARCH_BACKENDS:
        raise ValueError(f"OPENDATA_SEARCH must be one of {', '.join(SEARCH_BACKENDS)}: {chosen!r}")
    if search == "postgres" and not on_postgres:
        raise ValueError("OPENDATA_SEARCH=postgres needs a PostgreSQL OPENDATA_DATABASE_URL")
    return search


def _instance_secret(instance: Path) -> str:
    """A secret generated once into the instance folder, so sessions survive restarts."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
