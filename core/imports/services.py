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


def earlier_data_years(batch: Import) -> list[tuple]:
    """Return (region, its data_from_year, the first year the import brought) for the regions whose data could now
    start earlier: those with a data_from_year later than a year of the committed import's records."""
    from django.contrib.contenttypes.models import ContentType

    from core.imports import registry
    from core.models import Region

    if batch.status != Import.Status.COMMITTED:
        return []
    first: dict[int, int] = {}
    for kind in registry.kinds():
        content_type = ContentType.objects.get_for_model(kind.model)
        ids = list(batch.records.filter(content_type=content_type).values_list("object_id", flat=True))
        for region_id, year in kind.first_years(ids).items() if ids else ():
            first[region_id] = min(year, first.get(region_id, year))
    regions = Region.objects.filter(pk__in=first, data_from_year__isnull=False).order_by("kato")
    return [
        (region, region.data_from_year, first[region.pk])
        for region in regions
        if first[region.pk] < region.data_from_year
    ]


def move_data_from_year(*, user, batch: Import, region_id: int) -> int:
    """Move a region's data_from_year to the first year the committed import brought (administrators only)."""
    from core import audit
    from core.audit import Action

    if not user.is_admin:
        raise PermissionDenied
    for region, current, year in earlier_data_years(batch):
        if region.pk == region_id:
            region.data_from_year = year
            region.save(update_fields=["data_from_year"])
            audit.record(actor=user, action=Action.EDITED, target=region, changes={"data_from_year": (current, year)})
            return year
    raise InvalidTransition(_("This region's data already starts with the imported years."))
