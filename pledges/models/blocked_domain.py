from django.conf import settings
from django.core.cache import caches
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class BlockedDomainQuerySet(models.QuerySet):
    # Every signing request asks; the table is small and changes rarely. Each
    # process keeps the set for BLOCKED_DOMAINS_CACHE_SECONDS (a change made in
    # the admin reaches the other processes within it, and its own at once).
    CACHE_KEY = "blocked-email-domains"

    def blocks_any(self, domains):
        """Whether staff blocked any of `domains`."""
        blocked = caches["local"].get(self.CACHE_KEY)
        if blocked is None:
            blocked = frozenset(self.values_list("domain", flat=True))
            caches["local"].set(self.CACHE_KEY, blocked, settings.BLOCKED_DOMAINS_CACHE_SECONDS)
        return not blocked.isdisjoint(domains)

    @classmethod
    def forget(cls):
        caches["local"].delete(cls.CACHE_KEY)


class BlockedDomain(models.Model):
    """An email domain staff refuse signatures from (throwaway addresses, a spam wave)."""

    domain = models.CharField(
        _("domain"),
        max_length=253,
        unique=True,
        help_text=_("e.g. example.org; its subdomains too."),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("blocked"), auto_now_add=True)

    objects = BlockedDomainQuerySet.as_manager()

    class Meta:
        verbose_name = _("blocked email domain")
        verbose_name_plural = _("blocked email domains")
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(domain=Lower("domain")), name="domain_lowercase"
            ),
        ]

    def __str__(self):
        return self.domain

    def save(self, *args, **kwargs):
        self.domain = self.domain.strip().lower().strip(".")
        super().save(*args, **kwargs)
        BlockedDomainQuerySet.forget()

    def delete(self, *args, **kwargs):
        deleted = super().delete(*args, **kwargs)
        BlockedDomainQuerySet.forget()
        return deleted
