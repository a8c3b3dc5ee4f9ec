from datetime import timedelta

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection, connections, models, transaction
from django.db.models import F, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from pledges import counting, funnel
from pledges.models.choices import COUNTED, COUNTED_STATUSES, UNNAMED, ModerationStatus
from pledges.transparency import log


class SignatureQuerySet(models.QuerySet):
    def counted(self):
        """Signatures in the count and on the wall: confirmed, and neither hidden nor spam."""
        return self.filter(COUNTED)

    def expired_unconfirmed(self):
        """Never confirmed, and their link has expired or their email could
        not be delivered (mark_undeliverable): to be deleted."""
        cutoff = timezone.now() - timedelta(days=settings.CONFIRMATION_DAYS)
        return self.filter(confirmed_at__isnull=True).filter(
            models.Q(created_at__lt=cutoff) | models.Q(undeliverable_at__isnull=False)
        )

    def mark_undeliverable(self):
        """Those not confirmed yet can never count: their email bounced, or
        its reader said it is unwanted. Staff see them so; the hourly purge
        deletes them (expired_unconfirmed)."""
        return self.filter(confirmed_at__isnull=True, undeliverable_at__isnull=True).update(
            undeliverable_at=timezone.now()
        )

    def due_for_anonymising(self):
        """Of campaigns closed longer than RETENTION_DAYS_AFTER_CLOSE ago, not yet anonymised."""
        cutoff = timezone.now() - timedelta(days=settings.RETENTION_DAYS_AFTER_CLOSE)
        return self.filter(
            campaign__signing_open=False,
            campaign__closed_at__lt=cutoff,
            anonymised_at__isnull=True,
        )

    def anonymise(self):
        """Remove everything personal and keep the rows, so counts stay true."""
        placeholder = Concat(
            Value("anonymised-"), Cast("pk", models.CharField()), Value("@anonymised.invalid")
        )
        # Before the update: the selection may be on what it changes.
        self.forget_names_in_admin_log()
        submissions = self.model._meta.get_field("submissions").related_model
        submissions.objects.filter(signature__in=self).delete()
        anonymised = self.update(
            name="",
            email=placeholder,
            email_canonical=placeholder,
            comment="",
            show_name=False,
            is_featured=False,
            quote="",
            ip_hash="",
            wants_updates=False,
            anonymised_at=timezone.now(),
        )
        return anonymised

    def forget_names_in_admin_log(self):
        """The admin log's entries for these signatures name them by number
        again: the log outlives a withdrawal or anonymising and must not keep
        the name. One UPDATE, of these signatures' entries only."""
        # By app and model name, through a join, not ContentType's cached id:
        # this runs in every process, on every deletion.
        LogEntry.objects.filter(
            content_type__app_label=self.model._meta.app_label,
            content_type__model=self.model._meta.model_name,
            object_id__in=self.annotate(text_pk=Cast("pk", models.TextField())).values("text_pk"),
        ).update(object_repr=Concat(Value(UNNAMED), "object_id"))

    def search(self, term):
        """Signatures whose name or address contains `term`, in any case, found
        through an index at a million rows: PostgreSQL's trigram indexes
        (migration 0002), SQLite's FTS5 trigram table (0008), which needs three
        characters or more; shorter terms read the table."""
        if connections[self.db].vendor == "sqlite" and len(term) >= 3:
            phrase = '"' + term.replace('"', '""') + '"'  # the words as one phrase
            matching = RawSQL(
                "SELECT rowid FROM pledges_signature_search "
                "WHERE pledges_signature_search MATCH %s",
                [phrase],
            )
            return self.filter(pk__in=matching)
        return self.filter(models.Q(name__icontains=term) | models.Q(email__icontains=term))

    def awaiting_review(self):
        """Confirmed signatures with a comment nobody has read yet, oldest first:
        the moderators' queue (index signature_review_queue)."""
        return (
            self.filter(
                status=ModerationStatus.PENDING,
                confirmed_at__isnull=False,
                anonymised_at__isnull=True,
            )
            .exclude(comment="")
            .order_by("created_at", "id")
        )

    def update_recipients(self):
        """Who an update goes to: signers who asked for updates and have not
        stopped them, whose signature counts (confirmed, neither hidden nor
        spam) and is not anonymised (a withdrawn one is gone)."""
        return self.counted().filter(wants_updates=True, anonymised_at__isnull=True)

    def reserve_emails(self, wanted, limit, now=None):
        """Count the emails a batch will send: `wanted` is {signature id: how
        many}; each signature gets at most `limit` in its 24-hour window.
        Returns {signature id: how many may be sent}. The rows are locked
        until the caller's transaction ends (the worker's claim), so two
        workers cannot both slip under the cap: what Signature.reserve_email
        does for one email, in two statements for a whole batch instead of
        one or two for each email."""
        now = now or timezone.now()
        day_ago = now - timedelta(days=1)
        rows = (
            self.filter(pk__in=wanted)
            .order_by()
            .select_for_update()
            .values_list("pk", "emails_sent", "emails_window_started_at")
        )
        allowed, new_windows, added = {}, {}, {}
        for pk, sent, window_started in rows:
            if window_started is None or window_started <= day_ago:
                allowed[pk] = min(wanted[pk], limit)
                new_windows.setdefault(allowed[pk], []).append(pk)
            else:
                allowed[pk] = max(0, min(wanted[pk], limit - sent))
                if allowed[pk]:
                    added.setdefault(allowed[pk], []).append(pk)
        # Nearly always one statement of each kind: a batch's signatures want one email each.
        for count, pks in new_windows.items():
            self.model.objects.filter(pk__in=pks).update(
                emails_sent=count, emails_window_started_at=now
            )
        for count, pks in added.items():
            self.model.objects.filter(pk__in=pks).update(emails_sent=F("emails_sent") + count)
        return allowed

    def featured_voices(self):
        """The signers staff chose to quote on the campaign page, founding signers
        first as at the letter's launch; only those who let their name be shown."""
        return (
            self.counted()
            # "IN (true)", not "= true": Django writes that as the bare column, which
            # SQLite does not match against the signature_featured index.
            .filter(is_featured__in=[True], show_name=True)
            .order_by("-is_founding_signer", "created_at", "id")
        )

    def wall(self):
        """The public wall, newest first."""
        return self.counted().order_by("-created_at", "-id")

    def latest_named(self):
        """The newest signers who chose to show their name: the letter's page's strip."""
        return self.wall().filter(show_name=True)

    def older_than(self, created_at, public_id):
        """Those after the signature (created_at, public_id) in the wall's
        order: keyset pagination, as fast on the ten-thousandth page as on the
        first. The cursor names the signature by its public id; its row id,
        the order's tie-break, is read in the same query."""
        # Written as a range on created_at, which the wall index serves directly;
        # "created_at < x OR (created_at = x AND id < y)" made both databases
        # walk the index from the newest row down to the cursor. A cursor whose
        # signature has gone since (0) skips the rare others of its microsecond.
        cursor_id = Coalesce(
            Subquery(self.model.objects.filter(public_id=public_id).values("pk")[:1]), 0
        )
        return self.filter(created_at__lte=created_at).exclude(
            created_at=created_at, pk__gte=cursor_id
        )

    def analyze(self):
        """Refresh the database's statistics of the table (ANALYZE), after a bulk
        load: with statistics from when it was small, PostgreSQL planned the wall
        as a sort of every row (600 ms, not 4)."""
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(self.model._meta.db_table)}")

    # The transitions below change what counts; each leaves the count and the
    # tallies right (pledges/counting.py), so no caller has to remember to.

    def moderate(self, status, moderator=None, how=""):
        """Set the moderation status of every selected signature; returns how
        many. With `moderator` (the staff member) the change is kept, with
        `how` it was made, in Django's admin log (under "Log entries" and in
        each signature's history)."""
        with transaction.atomic():
            if moderator is not None:
                label = ModerationStatus(status).label
                LogEntry.objects.log_actions(
                    user_id=moderator.pk,
                    queryset=self,
                    action_flag=CHANGE,
                    change_message=f"Marked “{label}” ({how})",
                    single_object=False,
                )
            # Both read before the update: the selection's own filter may be on
            # the status that is about to change.
            campaign_ids = self._campaign_ids()
            leaving = counting.tally_rows(self.counted())
            joining = []
            if status in COUNTED_STATUSES:
                joining = counting.tally_rows(self.filter(confirmed_at__isnull=False))
            counted_before = self.counted()._log_places()
            counted_after = {}
            if status in COUNTED_STATUSES:
                counted_after = self.filter(confirmed_at__isnull=False)._log_places()
            updated = self.update(status=status, moderated_at=timezone.now())
            counting.adjust(leaving, joining, campaign_ids)
            log.follow_rows(counted_before, counted_after)
        return updated

    def delete(self):
        """Delete the selected signatures; those that counted leave the count,
        and those not yet in their source's figures are counted there first."""
        with transaction.atomic():
            funnel.count_signed(self)
            campaign_ids = self._campaign_ids()
            leaving = counting.tally_rows(self.counted())
            counted_before = self.counted()._log_places()
            self.forget_names_in_admin_log()
            deleted = super().delete()
            counting.adjust(leaving, [], campaign_ids)
            log.follow_rows(counted_before, {})
        return deleted

    def bulk_create(self, objs, *args, **kwargs):
        """Store many signatures at once (imports); campaigns gaining some that count
        are recounted."""
        objs = list(objs)
        for signature in objs:
            signature.set_email(signature.email)
        counted_in = {signature.campaign_id for signature in objs if signature.counts}
        if not counted_in:
            return super().bulk_create(objs, *args, **kwargs)
        with transaction.atomic():
            # Their "add" entries first, in one batch a letter: the rows are
            # stored with their index (no UPDATE of a million rows after).
            for campaign_id in counted_in:
                counted = [
                    s
                    for s in objs
                    if s.campaign_id == campaign_id and s.counts and s.log_index is None
                ]
                start = log.add_many(campaign_id, len(counted))
                for offset, signature in enumerate(counted):
                    signature.log_index = start + offset
            created = super().bulk_create(objs, *args, **kwargs)
            counting.recount_campaigns(counted_in)
        return created

    def _log_places(self):
        """{pk: (campaign id, log index)} of the selected rows (what the log's
        entries follow: pledges/transparency/log.py)."""
        return {
            pk: (campaign_id, index)
            for pk, campaign_id, index in self.order_by().values_list(
                "pk", "campaign_id", "log_index"
            )
        }

    def _campaign_ids(self):
        return set(self.order_by().values_list("campaign_id", flat=True).distinct())
