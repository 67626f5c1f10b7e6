"""The writes of imports: upload (start the dry run) and commit (start the commit), each as a background task."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import InvalidTransition
from core.imports import tasks
from core.models import Import, Job


def may_import(user) -> bool:
    """Officers (for their agency) and administrators (for any) import past records."""
    return user.is_authenticated and (user.is_admin or (user.is_officer and user.agency_id is not None))


def may_commit(user, batch: Import) -> bool:
    """The one who uploaded the file, or an administrator, commits it."""
    return may_import(user) and (batch.owner_id == user.pk or user.is_admin)


def start_import(*, user, upload, csv_kind: str = "") -> Import:
    """Store the uploaded file and start its dry run."""
    if not may_import(user):
        raise PermissionDenied
    job = Job.objects.create(kind="import-check", owner=user)
    batch = Import(
        owner=user,
        agency=user.agency if user.is_officer else None,
        file_name=upload.name[:255],
        csv_kind=csv_kind,
        job=job,
    )
    batch.file.save(upload.name, upload, save=False)
    batch.save()
    enqueue(tasks.check_import, batch, job)
    batch.refresh_from_db()
    return batch


def commit(*, user, batch: Import) -> Import:
    """Start the commit of a checked import with no problems."""
    with transaction.atomic():
        batch = Import.objects.select_for_update().get(pk=batch.pk)
        if not may_commit(user, batch):
            raise PermissionDenied
        if batch.status != Import.Status.READY:
            raise InvalidTransition(_("Only a checked import with no problems can be committed."))
        job = Job.objects.create(kind="import-commit", owner=user)
        batch.status, batch.job = Import.Status.COMMITTING, job
        batch.save(update_fields=["status", "job"])
    enqueue(tasks.commit_import, batch, job)
    batch.refresh_from_db()
    return batch


def enqueue(task, batch: Import, job: Job) -> None:
    result = task.enqueue(batch.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def import_now(*, user, agency, name: str, content: bytes, csv_kind: str = "", commit: bool = False) -> Import:
    """Check a file at once (and with `commit`, write it when it has no problems), without the task queue: for the
    management command and the demo data."""
    from django.core.files.base import ContentFile

    job = Job.objects.create(kind="import-now", owner=user)
    batch = Import(owner=user, agency=agency, file_name=name[:255], csv_kind=csv_kind, job=job)
    batch.file.save(name, ContentFile(content), save=False)
    batch.save()
    tasks.run_job(batch.pk, commit=False)
    batch.refresh_from_db()
    if commit and batch.status == Import.Status.READY:
        batch.status = Import.Status.COMMITTING
        batch.save(update_fields=["status"])
        tasks.run_job(batch.pk, commit=True)
        batch.refresh_from_db()
    return batch
