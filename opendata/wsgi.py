"""The WSGI entry point for gunicorn: `gunicorn 'opendata.wsgi:app'`."""

import gc

from opendata import create_app

app = create_app()
# What start-up built lives as long as the process: keep it out of every later full garbage
# collection, which otherwise paused a request for 50-80 ms about once in a hundred.
gc.freeze()
