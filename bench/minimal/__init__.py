"""A minimal Django project: the yardstick `make bench` measures the site against.

Four of Django's standard middlewares, one short page with no database, and one
POST that validates a three-field form and inserts one row (on SQLite in WAL
mode with IMMEDIATE transactions, like the site, or on PostgreSQL). It is
served by the same gunicorn with the same config file as the site, in the same
run, so that a ratio to it says what our code and our middleware cost.
"""
