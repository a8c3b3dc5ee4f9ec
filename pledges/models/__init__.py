"""The signatures' models, one module each, gathered here, where Django
loads an app's models from, and where every import takes them from."""

from pledges.models.blocked_domain import BlockedDomain as BlockedDomain
from pledges.models.choices import COUNTED as COUNTED
from pledges.models.choices import COUNTED_STATUSES as COUNTED_STATUSES
from pledges.models.choices import PUBLIC_CHOICES as PUBLIC_CHOICES
from pledges.models.choices import UNNAMED as UNNAMED
from pledges.models.choices import Industry as Industry
from pledges.models.choices import ModerationStatus as ModerationStatus
from pledges.models.choices import signature_number as signature_number
from pledges.models.delivery import EmailKind as EmailKind
from pledges.models.delivery import EmailTally as EmailTally
from pledges.models.delivery import SuppressedAddress as SuppressedAddress
from pledges.models.signature import CommentToReview as CommentToReview
from pledges.models.signature import Signature as Signature
from pledges.models.signature_queryset import SignatureQuerySet as SignatureQuerySet
from pledges.models.submission import Submission as Submission
from pledges.models.tally import RateLimitCounter as RateLimitCounter
from pledges.models.tally import SignatureTally as SignatureTally
from pledges.models.tally import SourceTally as SourceTally

# Each letter's public log of its count (the rest of the feature is pledges/transparency/).
from pledges.models.transparency import Checkpoint as Checkpoint
from pledges.models.transparency import LogEntry as LogEntry
from pledges.models.transparency import LogKey as LogKey
from pledges.models.transparency import LogTile as LogTile
from pledges.models.transparency import SignatureLog as SignatureLog

# Updates to signers (the rest of the feature is pledges/updates/).
from pledges.models.update import Update as Update
from pledges.models.update import UpdateDelivery as UpdateDelivery
