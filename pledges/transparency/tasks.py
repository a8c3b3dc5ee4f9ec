"""The worker's part of the logs: hashing new entries in and signing checkpoints."""

from django_tasks import task

from pledges.transparency import log


@task()
def publish_logs():
    """Every letter's new entries into its tree, and a checkpoint where one is due."""
    checkpoints = log.publish_all()
    return f"{len(checkpoints)} logs published"
