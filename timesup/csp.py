"""django-csp's middleware, with the site's fixed policy written once.

django-csp builds the Content-Security-Policy header anew for every response
(deep-copying the policy's parts and joining its directives): 7% of a signing
POST. Here a response that neither a decorator (`@csp_replace` on the widget)
nor a nonce has changed gets the header built once per policy, and always in
the same order (django-csp's own order varies from one response to the next).
Anything else goes the library's way.
"""

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings

# What django-csp's decorators put on a response for this one response.
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


class FixedPolicyCSPMiddleware(CSPMiddleware):
    _built_for = None
    _header = ""

    def process_response(self, request, response):
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        plain = (
            policy
            and not policy.get("EXCLUDE_URL_PREFIXES")
            and not getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
            and getattr(request, "_csp_nonce", None) is None
            and not settings.DEBUG
            and not any(hasattr(response, name) for name in _PER_RESPONSE)
        )
        if not plain:
            return super().process_response(request, response)
        if HEADER not in response:
            response[HEADER] = self._fixed_header(policy)
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @classmethod
    def _fixed_header(cls, policy):
        # Keyed on the policy object itself: settings overridden in tests get their own.
        if cls._built_for is not policy:
            cls._header, cls._built_for = build_policy(), policy
        return cls._header
