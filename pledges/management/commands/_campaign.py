"""What the commands here share (a module whose name starts with _ is no command)."""

from django.core.management.base import CommandError

from campaign.models import Campaign


def campaign_from_slug(slug):
    try:
        return Campaign.objects.get(slug=slug)
    except Campaign.DoesNotExist:
        raise CommandError(f"No campaign with the slug “{slug}”.") from None
