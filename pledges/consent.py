"""The consent a signer gives, versioned: each signature records which wording it was given under.

Change CONSENT_VERSION whenever CONSENT_WORDING or the privacy notice changes
in substance, so that every signature keeps pointing at what its signer read.
"""

from django.utils.translation import gettext_lazy as _

CONSENT_VERSION = "2026-12-02"

CONSENT_WORDING = _(
    "By signing, you add your name to this letter. We keep your name, email "
    "address, country, industry and comment to count and show your signature "
    "as you chose, and email you only about it. You can withdraw at any time."
)


# Updates are a consent of their own, asked with a box left unticked (or on
# the confirmation page), recorded with its own version and time.
UPDATES_CONSENT_VERSION = "2026-12-02"

UPDATES_WORDING = _("Email me updates about this campaign")
