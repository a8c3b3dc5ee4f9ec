"""What the admin's index shows of the moderators' work, loaded by name
(`{% load moderation %}`) in templates/admin/index.html."""

from django import template

from pledges.models import Signature

register = template.Library()

# Counted up to this many: the index answers as fast with a queue of a million.
COUNT_CAP = 1000


@register.simple_tag
def comments_waiting():
    """How many comments wait for review, up to COUNT_CAP (the queue's own index)."""
    return Signature.objects.awaiting_review()[:COUNT_CAP].count()
