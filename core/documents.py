"""Uploaded documents: at most 20 MB, PDF, DOCX, XLSX, JPG or PNG checked by content, stored under random names
in private storage, and served only through views that check access."""

from __future__ import annotations

import mimetypes
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.http import FileResponse
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.validators import validate_single_line

# extension → the magic bytes its content must begin with
SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}
# DOCX and XLSX are ZIP files: the archive must hold the part that makes it a Word or Excel document.
ZIP_MARKERS = {".docx": b"word/", ".xlsx": b"xl/"}


class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT (read when used, so a changed setting applies) with no public URL."""

    def url(self, name):  # never a public URL: documents go through access-checked views
        raise ValueError("private documents have no public URL")


private_storage = PrivateStorage()


@deconstructible
class RandomName:
    """upload_to: a random file name in a folder, keeping only a safe lower-case extension."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        extension = PurePath(filename).suffix.lower()
        if extension not in SIGNATURES:
            extension = ""
        return f"{self.folder}/{uuid.uuid4().hex}{extension}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.folder == self.folder


def validate_document(upload) -> None:
    """Refuse files over the size limit, of another type, or whose content does not match the extension."""
    limit = settings.GSZ["UPLOAD_MAX_BYTES"]
    if upload.size > limit:
        raise ValidationError(
            _("The file is larger than %(limit)d MB.") % {"limit": limit // (1024 * 1024)}, code="too_large"
        )
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower()
    if extension not in SIGNATURES:
        raise ValidationError(_("Upload a PDF, DOCX, XLSX, JPG or PNG file."), code="bad_type")
    upload.seek(0)
    head = upload.read(8)
    if not head.startswith(SIGNATURES[extension]):
        upload.seek(0)
        raise ValidationError(
            _("The file's content is not a %(type)s document: it may be renamed.") % {"type": extension[1:].upper()},
            code="bad_content",
        )
    if extension in ZIP_MARKERS:
        upload.seek(0)
        body = upload.read(min(upload.size, 2 * 1024 * 1024))
        if ZIP_MARKERS[extension] not in body:
            upload.seek(0)
            raise ValidationError(
                _("The file's content is not a %(type)s document: it may be renamed.")
                % {"type": extension[1:].upper()},
                code="bad_content",
            )
    upload.seek(0)


def document_response(field_file, download_name: str) -> FileResponse:
    """Return the file as a download with a safe name (the caller has checked access)."""
    content_type = mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=download_name)
    response["Content-Type"] = content_type
    response["X-Content-Type-Options"] = "nosniff"
    return response


def clean_display_name(filename: str) -> str:
    """Return the base name of an uploaded file (no folders, no path traversal) for display."""
    return PurePath(filename.replace("\\", "/")).name[:200] or "document"


class StoredDocument(models.Model):
    """What every uploaded document keeps: a title, the uploader's file name (for display only) and when it came.
    Each concrete model adds its owner and its `file` field with its own folder."""

    title = models.CharField(gettext_lazy("title"), max_length=200, validators=[validate_single_line])
    original_name = models.CharField(max_length=200, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @classmethod
    def from_form(cls, form, **owner):
        """Create the document from a valid core.forms.DocumentForm for its owner."""
        upload = form.cleaned_data["file"]
        return cls.objects.create(
            title=form.cleaned_data["title"], file=upload, original_name=upload.original_name, **owner
        )
