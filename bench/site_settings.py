"""The site's own settings, with one URL more: /bench/bare/, the site's middleware
around a view that does nothing (the "in-site" yardstick). Used by `make bench` only."""

from timesup.settings import *  # noqa: F403 - the site exactly, but for the URLconf

ROOT_URLCONF = "bench.site_urls"
