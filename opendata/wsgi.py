"""The WSGI entry point for gunicorn: `gunicorn 'opendata.wsgi:app'`."""

from opendata import create_app

app = create_app()
