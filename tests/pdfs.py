"""Hand-built PDFs for the upload tests: a sound one-page file and a compression bomb."""

import zlib


def build_pdf(flate_stream: bytes, *, padding: int = 0) -> bytes:
    """A one-page PDF whose page content is the given Flate-compressed stream, with a correct xref;
    `padding` bytes of comment after the header make a file of a chosen size."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<<>>>>",
        b"<</Length %d/Filter/FlateDecode>>stream\n" % len(flate_stream) + flate_stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    if padding:
        out += b"%" + b"0" * (padding - 2) + b"\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def sound_pdf() -> bytes:
    return build_pdf(zlib.compress(b"BT /F1 12 Tf 72 720 Td (Underrattelse) Tj ET"))


def bomb_pdf(inflated_mb: int = 300) -> bytes:
    """A few hundred KB that inflate to `inflated_mb` MB of zeros."""
    compressor = zlib.compressobj(9)
    chunk = b"\0" * (1024 * 1024)
    return build_pdf(b"".join(compressor.compress(chunk) for _ in range(inflated_mb)) + compressor.flush())


def pdf_of_size(size: int) -> bytes:
    """A sound one-page PDF of exactly `size` bytes."""
    stream = zlib.compress(b"BT /F1 12 Tf 72 720 Td (Underrattelse) Tj ET")
    padding = size - len(build_pdf(stream))
    pdf = build_pdf(stream, padding=padding)
    # startxref has more digits in a bigger file: take the difference off the padding.
    pdf = build_pdf(stream, padding=padding - (len(pdf) - size))
    assert len(pdf) == size
    return pdf
