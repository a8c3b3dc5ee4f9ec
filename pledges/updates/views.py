from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from pledges import tokens
from pledges.views import signature_from_link


# Mail providers' unsubscribe buttons POST "List-Unsubscribe=One-Click" here
# from their own servers (RFC 8058), with no cookie and no CSRF token: the
# token in the address is the proof, and all it can do is stop emails.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """The link in every update: after one click (GET only asks, for the mail
    scanners that open every link), no more updates; the signature stays."""
    signature, problem = signature_from_link(request, token, tokens.UNSUBSCRIBE)
    if problem:
        return problem
    campaign = signature.campaign
    if request.method == "POST":
        signature.stop_updates()
        return render(request, "pledges/updates/unsubscribed.html", {"campaign": campaign})
    context = {"campaign": campaign, "token": token, "signature": signature}
    return render(request, "pledges/updates/unsubscribe.html", context)
