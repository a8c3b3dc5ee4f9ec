"""Where the links in emails live: each path below, then a token that acts on
a signature (confirms it, withdraws it, sets its choices, stops its updates).

The one list of them: pledges/urls.py serves them, and the nginx
configuration (deploy/nginx/timesup.conf) logs none of them, which a test
holds against this list. (The site's own logs cut any signed value out of
every line, whatever its path: timesup/infrastructure/logs.py.)
"""

CONFIRM = "sign/confirm"
WITHDRAW = "sign/withdraw"
CHOICES = "sign/choices"
UNSUBSCRIBE = "updates/stop"

LINK_TOKEN_PATHS = (CONFIRM, WITHDRAW, CHOICES, UNSUBSCRIBE)
