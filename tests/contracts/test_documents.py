"""Contract documents uploaded through the views: checked by size and content, stored under random names in private
storage, and served back only through the access-checked view."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.models import ContractDocument
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 64
    + b"This program cannot be run in DOS mode."
)


@pytest.fixture
def contract(officer, provider, ngo_user, clock):
    return factories.ContractFactory(agency=officer.agency, provider=provider)


def upload(client, user, contract, name: str, content: bytes, title: str = "Акт выполненных работ"):
    client.force_login(user)
    return client.post(
        reverse("contracts:document-upload", args=[contract.pk]),
        {"title": title, "file": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


def test_a_renamed_executable_is_refused_with_a_message(client, officer, contract, media_root):
    response = upload(client, officer, contract, "report.pdf", EXE)

    assert response.status_code == 302
    assert messages_of(response) == ["The file's content is not a PDF document: it may be renamed."]
    assert not ContractDocument.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_of_another_type_is_refused(client, ngo_user, contract, media_root):
    response = upload(client, ngo_user, contract, "install.exe", EXE)

    assert messages_of(response) == ["Upload a PDF, DOCX, XLSX, JPG or PNG file."]
    assert not ContractDocument.objects.exists()


def test_an_oversized_file_is_refused(client, officer, contract, media_root, settings):
    settings.GSZ = {**settings.GSZ, "UPLOAD_MAX_BYTES": 1024 * 1024}  # 1 MB for the test instead of 20 MB

    response = upload(client, officer, contract, "scan.pdf", PDF + b"0" * (1024 * 1024))

    assert messages_of(response) == ["The file is larger than 1 MB."]
    assert not ContractDocument.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_of_exactly_the_limit_is_accepted(client, officer, contract, media_root, settings):
    settings.GSZ = {**settings.GSZ, "UPLOAD_MAX_BYTES": 1024 * 1024}

    upload(client, officer, contract, "scan.pdf", PDF + b"0" * (1024 * 1024 - len(PDF)))

    assert ContractDocument.objects.count() == 1


def test_a_path_traversal_name_is_stored_under_a_random_name_inside_media_root(client, ngo_user, contract, media_root):
    response = upload(client, ngo_user, contract, "../../etc/passwd.pdf", PDF)

    assert messages_of(response) == ["The document is added."]
    document = ContractDocument.objects.get()
    assert re.fullmatch(r"contracts/[0-9a-f]{32}\.pdf", document.file.name)
    assert document.original_name == "passwd.pdf"
    [stored] = stored_files(media_root)
    assert stored.resolve().is_relative_to(media_root.resolve())
    assert stored.read_bytes() == PDF
    assert not (media_root.parent / "etc").exists()


def test_an_uploaded_document_is_served_back_to_the_parties(client, ngo_user, officer, contract, media_root):
    upload(client, ngo_user, contract, "../../etc/passwd.pdf", PDF)
    document = ContractDocument.objects.get()
    client.force_login(officer)

    response = client.get(reverse("contracts:document", args=[contract.pk, document.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="passwd.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_another_ngo_cannot_download_the_document(client, ngo_user, other_ngo_user, contract, media_root):
    upload(client, ngo_user, contract, "report.pdf", PDF)
    document = ContractDocument.objects.get()
    client.force_login(other_ngo_user)

    response = client.get(reverse("contracts:document", args=[contract.pk, document.pk]))

    assert response.status_code == 404  # the contract is public, its documents are outside this user's scope


def test_an_officer_of_another_agency_cannot_download_the_document(
    client, ngo_user, other_officer, contract, media_root
):
    upload(client, ngo_user, contract, "report.pdf", PDF)
    document = ContractDocument.objects.get()
    client.force_login(other_officer)

    response = client.get(reverse("contracts:document", args=[contract.pk, document.pk]))

    assert response.status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in_for_a_document(client, ngo_user, contract, media_root):
    upload(client, ngo_user, contract, "report.pdf", PDF)
    document = ContractDocument.objects.get()
    client.logout()

    url = reverse("contracts:document", args=[contract.pk, document.pk])
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_document_of_another_contract_is_not_served_through_this_one(
    client, ngo_user, officer, contract, media_root
):
    upload(client, ngo_user, contract, "report.pdf", PDF)
    document = ContractDocument.objects.get()
    other = factories.ContractFactory(agency=officer.agency)
    client.force_login(officer)

    response = client.get(reverse("contracts:document", args=[other.pk, document.pk]))

    assert response.status_code == 404


def test_another_ngo_cannot_upload_to_the_contract(client, other_ngo_user, contract, media_root):
    response = upload(client, other_ngo_user, contract, "report.pdf", PDF)

    assert response.status_code == 403  # the contract is public: visible, but not theirs to add to
    assert not ContractDocument.objects.exists()


def test_documents_never_have_a_public_url(client, ngo_user, contract, media_root):
    upload(client, ngo_user, contract, "report.pdf", PDF)
    document = ContractDocument.objects.get()

    with pytest.raises(ValueError, match="no public URL"):
        document.file.url  # noqa: B018 - the property access is the test
    page = client.get(contract.get_absolute_url()).content.decode()
    assert reverse("contracts:document", args=[contract.pk, document.pk]) in page
    assert document.file.name not in page
    assert client.get("/media/" + document.file.name).status_code == 404
