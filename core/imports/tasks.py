"""The background tasks of imports (django-tasks): the dry run and the commit, each reporting its progress on a
`core.Job`. Tests run them synchronously (the immediate backend)."""

from __future__ import annotations

from django.utils import timezone, translation
from django.utils.translation import gettext
from django_tasks import task

from core.imports import engine
from core.models import Import, Job


def progress_of(job: Job):
    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total
        job.save(update_fields=["done", "total"])

    return progress


def run_job(import_id: int, *, commit: bool) -> dict:
    batch = Import.objects.select_related("owner", "agency", "job").get(pk=import_id)
    job = batch.job
    job.status = Job.Status.RUNNING
    job.save(update_fields=["status"])
    try:
        with translation.override(batch.owner.preferred_language):
            outcome = engine.run(batch, commit=commit, progress=None if commit else progress_of(job))
    except Exception:
        job.status, job.finished_at = Job.Status.FAILED, timezone.now()
        job.save(update_fields=["status", "finished_at"])
        # Nothing was written (a commit rolls back); the page says so instead of showing a check that never ends.
        with translation.override(batch.owner.preferred_language):
            message = gettext(
                "The file could not be processed because of an error in the system; nothing was written."
            )
        Import.objects.filter(pk=batch.pk).update(
            status=Import.Status.HAS_ERRORS,
            problems=[{"sheet": "", "row": 0, "column": "", "value": "", "message": message}],
            problem_count=1,
        )
        raise
    engine.finish(batch, outcome, commit=commit)
    job.status, job.finished_at = Job.Status.DONE, timezone.now()
    job.done = job.total = max(job.total, job.done)
    job.result = {"counts": outcome.counts, "problems": outcome.problem_count}
    job.save(update_fields=["status", "finished_at", "done", "total", "result"])
    return job.result


@task()
def check_import(import_id: int) -> dict:
    """The dry run: check every row, count what would change, write nothing."""
    return run_job(import_id, commit=False)


@task()
def commit_import(import_id: int) -> dict:
    """The commit: the same pass in one transaction, writing; any problem leaves everything as it was."""
    return run_job(import_id, commit=True)
