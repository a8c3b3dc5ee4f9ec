from django import forms
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from bench.minimal.models import Entry

PAGE = "<!doctype html><title>Minimal</title><p>A short page.</p>\n"


class EntryForm(forms.Form):
    name = forms.CharField(max_length=100)
    email = forms.EmailField()
    country = forms.CharField(max_length=2)


def page(request):
    return HttpResponse(PAGE)


# wrk cannot carry a CSRF token per request any more cheaply than the site's
# script does; exempt, so the yardstick is Django's own cost, not a 403.
@csrf_exempt
def post(request):
    form = EntryForm(request.POST)
    if not form.is_valid():
        return HttpResponse("invalid\n", status=400)
    Entry.objects.create(**form.cleaned_data)
    return HttpResponse(status=302, headers={"Location": "/done/"})
