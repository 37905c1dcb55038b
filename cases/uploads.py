"""Uploaded scans: an honest size limit and a structural PDF check (issue 10, defect 16).

- ``SizeLimitUploadHandler`` (first in FILE_UPLOAD_HANDLERS) stops storing a file
  once it passes ``MAX_ATTACHMENT_BYTES``: the rest of a 500 MB upload is counted
  and thrown away instead of being written to a temporary file, and the form sees
  the real size and says "too large".
- ``pdf_problem`` opens the file with pypdf (a well-kept pure-Python library) and
  checks its structure without rendering it: it must parse, must not be encrypted,
  must have between 1 and ``MAX_PAGES`` pages, and its Flate streams together must
  not inflate beyond ``MAX_DECODED_BYTES`` (a compression bomb: a few hundred KB
  that inflate to gigabytes). Streams are inflated in 1 MB steps and thrown away,
  so the check never holds more than a megabyte of decoded data.
"""
from __future__ import annotations

import zlib

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_PAGES = 200
# A 10 MB scan of 200 pages of images decodes far below this; text and fonts inflate ~3-10x.
MAX_DECODED_BYTES = 100 * 1024 * 1024
_STEP = 1024 * 1024


class _Oversized(UploadedFile):
    """Stands in for a file that exceeded the limit: no content, the real size."""

    def __init__(self, name: str, content_type: str, size: int):
        super().__init__(file=None, name=name, content_type=content_type, size=size)

    def read(self, *args):
        return b""

    def seek(self, *args):
        return 0


class SizeLimitUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > MAX_ATTACHMENT_BYTES:
            return None  # swallowed: the handlers after this one store nothing more
        return raw_data

    def file_complete(self, file_size):
        if self.received > MAX_ATTACHMENT_BYTES:
            return _Oversized(self.file_name, self.content_type, self.received)
        return None  # the next handler (memory or temporary file) returns the file


def _filters(stream) -> list[str]:
    value = stream.get("/Filter")
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _inflated_size(data: bytes, budget: int) -> int:
    """How many bytes `data` inflates to, counting at most budget + 1."""
    inflater = zlib.decompressobj()
    total = 0
    while data and total <= budget:
        total += len(inflater.decompress(data, _STEP))
        data = inflater.unconsumed_tail
    return total


def pdf_problem(upload) -> str | None:
    """None for a sound PDF, else one of "invalid", "encrypted", "pages", "bomb"."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError
    from pypdf.generic import IndirectObject, StreamObject

    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            return "encrypted"
        pages = len(reader.pages)
        if not 1 <= pages <= MAX_PAGES:
            return "pages"
        budget = MAX_DECODED_BYTES
        for generation, entries in reader.xref.items():
            for number in entries:
                obj = reader.get_object(IndirectObject(number, generation, reader))
                if not isinstance(obj, StreamObject):
                    continue
                filters = _filters(obj)
                if filters and filters[0] in ("/FlateDecode", "/Fl"):
                    budget -= _inflated_size(obj._data, budget)
                    if budget < 0:
                        return "bomb"
    except (PdfReadError, ValueError, TypeError, KeyError, AttributeError, zlib.error, RecursionError):
        return "invalid"
    finally:
        upload.seek(0)
    return None
