"""The background tasks of the evaluation app (django-tasks): making an analytics snapshot, with its progress on a
`core.Job`. Tests run them synchronously (the immediate backend)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from core.models import Job


@task()
def refresh_snapshot(job_id: int, trigger: str) -> dict:
    """Make a snapshot, reporting each step on the job; the pages read it as soon as it is stored."""
    from evaluation.analytics.snapshots import make_snapshot

    job = Job.objects.select_related("owner").get(pk=job_id)
    job.status = Job.Status.RUNNING
    job.save(update_fields=["status"])

    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total
        job.save(update_fields=["done", "total"])

    try:
        snapshot = make_snapshot(trigger=trigger, by=job.owner, progress=progress)
    except Exception:
        job.status, job.finished_at = Job.Status.FAILED, timezone.now()
        job.save(update_fields=["status", "finished_at"])
        raise
    job.status, job.finished_at, job.result = Job.Status.DONE, timezone.now(), {"snapshot": snapshot.pk}
    job.save(update_fields=["status", "finished_at", "result"])
    return job.result
