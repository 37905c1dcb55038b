"""Issue 10, defect 16: uploads were checked only for the `%PDF-` header, so a
compression bomb was stored. Now pypdf checks the structure (never rendering) and
the size limit holds while the upload streams in."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case, Notice
from cases.uploads import MAX_ATTACHMENT_BYTES, SizeLimitUploadHandler, pdf_problem
from tests.pdfs import bomb_pdf, sound_pdf
from tests.test_intake import NEW_URL, form_data


@pytest.fixture
def advisor_client(client, personas):
    client.force_login(personas["hyresradgivare"])
    return client


def test_a_sound_pdf_passes_the_structural_check():
    assert pdf_problem(io.BytesIO(sound_pdf())) is None


def test_a_compression_bomb_is_refused_and_not_stored(advisor_client, settings, tmp_path):
    """Defect 16: a compression bomb (here 300 KB → 300 MB) was stored."""
    settings.MEDIA_ROOT = tmp_path
    bomb = bomb_pdf(300)
    assert len(bomb) < 1024 * 1024
    started = time.perf_counter()
    response = advisor_client.post(NEW_URL, {**form_data(), "attachment": SimpleUploadedFile("s.pdf", bomb, "application/pdf")})
    assert time.perf_counter() - started < 15
    assert response.status_code == 400
    assert "packas upp till för mycket data" in response.context["form"].errors["attachment"][0]
    assert Notice.objects.count() == 0
    assert not list(tmp_path.rglob("*.pdf"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4\nthis is no pdf at all\n%%EOF", "Filen är inte en giltig PDF."),
        (sound_pdf().replace(b"/Count 1", b"/Count 0").replace(b"/Kids[3 0 R]", b"/Kids[]"), "mellan 1 och 200 sidor"),
    ],
)
def test_a_broken_pdf_is_refused(advisor_client, content, message):
    response = advisor_client.post(NEW_URL, {**form_data(), "attachment": SimpleUploadedFile("s.pdf", content, "application/pdf")})
    assert response.status_code == 400
    assert message in response.context["form"].errors["attachment"][0]
    assert Case.objects.count() == 0


def test_the_size_limit_is_enforced_while_the_upload_streams_in():
    """Defect 16: the size limit was checked only after the whole upload sat on disk."""
    handler = SizeLimitUploadHandler()
    handler.new_file("attachment", "big.pdf", "application/pdf", None)
    passed_on = 0
    chunk = b"x" * (64 * 1024)
    for start in range(0, 50 * 1024 * 1024, len(chunk)):
        out = handler.receive_data_chunk(chunk, start)
        passed_on += len(out or b"")
    assert passed_on <= MAX_ATTACHMENT_BYTES
    oversized = handler.file_complete(50 * 1024 * 1024)
    assert oversized.size == 50 * 1024 * 1024
    assert oversized.read() == b""


def test_a_valid_scan_is_stored(advisor_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    scan = SimpleUploadedFile("scan.pdf", sound_pdf(), content_type="application/pdf")
    assert advisor_client.post(NEW_URL, {**form_data(), "attachment": scan}).status_code == 302
    assert Notice.objects.get().attachment.read() == sound_pdf()
