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

# Updates to signers (the rest of the feature is pledges/updates/).
from pledges.models.update import Update as Update
from pledges.models.update import UpdateDelivery as UpdateDelivery
