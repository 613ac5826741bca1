"""Photos are decoded within a memory budget: a small file describing a huge picture
(a "decompression bomb") is refused before decoding, and a large camera photo is
never decoded at full size for its small copy."""
from __future__ import annotations

import functools
import io
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests import factories
from tests.seizures.helpers import field_error, gps_of, new_case, text
from tracer.extensions import db
from tracer.firearms.models import Attachment

ROOT = Path(__file__).resolve().parents[2]
TOO_MANY_PIXELS = ("The photo has too many pixels to be processed safely. Send a smaller copy: "
                   "a standard JPEG of up to 40 megapixels is accepted.")
BIG = (7000, 5000)  # 35 megapixels: a full-frame camera; 140 MB once decoded at full size


@functools.lru_cache(maxsize=None)
def png_of_zeros(width: int, height: int, color_type: int = 2) -> bytes:
    """A valid PNG of black pixels, written by hand: a few hundred KB that decode to hundreds of MB."""
    channels = {0: 1, 2: 3, 6: 4}[color_type]
    row = b"\x00" * (1 + width * channels)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def big_jpeg() -> bytes:
    image = Image.new("RGB", BIG, "navy")
    image.paste((200, 180, 40), (1000, 1000, 6000, 4000))
    exif = Image.Exif()
    exif[0x010F] = "Tracer test camera"
    exif[0x8825] = {1: "N", 2: (29.0, 4.0, 22.44), 3: "W", 4: (110.0, 57.0, 21.24)}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def scene(login_as, uploads):
    officer = login_as("officer", "FGE-SON", locale="en")
    seizure = factories.seizure(new_case(officer.user), officer.user)
    db.session.commit()
    return officer, seizure.firearms[0]


def send(officer, firearm, data: bytes, name: str, **fields):
    return officer.post(f"/firearms/{firearm.id}/photos", {"photo": (io.BytesIO(data), name), **fields},
                        token_from=f"/firearms/{firearm.id}", content_type="multipart/form-data")


def stored_files(uploads: Path) -> list[Path]:
    return [p for p in uploads.rglob("*") if p.is_file()] if uploads.exists() else []


@pytest.mark.parametrize("width, height, color_type", [
    (8900, 8900, 2),    # 79 megapixels: under the old ceiling, 317 MB once decoded
    (6000, 5000, 6),    # 30 megapixels with transparency: 120 MB once decoded
    (20000, 20000, 0),  # 400 megapixels: beyond what Pillow itself would open
])
def test_a_decompression_bomb_is_refused_with_a_message_on_the_field(scene, uploads, width, height, color_type):
    officer, firearm = scene
    bomb = png_of_zeros(width, height, color_type)
    assert len(bomb) < 1_000_000
    response = send(officer, firearm, bomb, "bomba.png")
    assert response.status_code == 400
    assert TOO_MANY_PIXELS in field_error(text(response), "photo")
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    assert stored_files(uploads) == []


def test_the_refusal_is_in_spanish_for_a_spanish_reader(login_as, uploads):
    officer = login_as("officer", "FGE-SON", locale="es")
    firearm = factories.seizure(new_case(officer.user), officer.user).firearms[0]
    db.session.commit()
    response = send(officer, firearm, png_of_zeros(8900, 8900), "bomba.png")
    message = field_error(text(response), "photo")
    assert response.status_code == 400 and "40 megapíxeles" in message and "many pixels" not in message


def test_a_large_camera_photo_is_accepted_and_gets_its_small_copy(scene, uploads, big_jpeg):
    officer, firearm = scene
    assert send(officer, firearm, big_jpeg, "DSC_0001.JPG").status_code == 302
    photo = db.session.scalar(select(Attachment))
    assert officer.get(f"/attachments/{photo.id}").data == big_jpeg
    small = officer.get(f"/attachments/{photo.id}/thumbnail")
    assert small.status_code == 200 and small.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(small.data)) as image:
        assert image.size == (480, 343)
        assert image.getpixel((240, 170))[2] < 100  # the yellow middle of the picture, not the navy edge


def test_removing_the_location_of_a_large_photo_keeps_its_picture(scene, uploads, big_jpeg):
    officer, firearm = scene
    assert send(officer, firearm, big_jpeg, "DSC_0002.JPG", remove_location="y").status_code == 302
    photo = db.session.scalar(select(Attachment))
    stored = officer.get(f"/attachments/{photo.id}").data
    assert photo.exif_location_removed and gps_of(stored) == {}
    with Image.open(io.BytesIO(stored)) as image, Image.open(io.BytesIO(big_jpeg)) as original:
        assert image.size == BIG and image.getexif()[0x010F] == "Tracer test camera"
        # The compressed picture is copied, not encoded again: the scan data is the original's.
        assert stored[stored.index(b"\xff\xda"):] == big_jpeg[big_jpeg.index(b"\xff\xda"):]
        assert original.size == BIG


PEAK = textwrap.dedent("""
    import resource, sys
    from tracer.firearms import images
    data = open(sys.argv[1], "rb").read()
    import io
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if sys.argv[2] == "thumbnail":
        images.thumbnail(io.BytesIO(data), 480)
    else:
        assert images.check_decodes(data, "JPEG")
    print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
""")


def peak_megabytes(path: Path, step: str) -> int:
    """Growth of the peak resident memory of a fresh process doing one step on the photo, in MB."""
    done = subprocess.run([sys.executable, "-c", PEAK, str(path), step], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    return int(done.stdout.strip())


def test_memory_of_a_large_photo_stays_bounded(big_jpeg, tmp_path):
    path = tmp_path / "big.jpg"
    path.write_bytes(big_jpeg)
    full_decode = BIG[0] * BIG[1] * 4 // (1024 * 1024)  # what Pillow holds for the whole picture: 133 MB
    assert peak_megabytes(path, "thumbnail") < 25 < full_decode
    assert peak_megabytes(path, "check") < 60 < full_decode
