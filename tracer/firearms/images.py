"""Decoding photos within a memory budget.

A small file can describe a huge picture (a "decompression bomb": a 300 KB PNG
may decode to a gigabyte), so the size a photo will take once decoded is worked
out from its header before any pixel is decoded, and a photo whose decoding
would pass ``MAX_DECODE_BYTES`` is refused. JPEG decoders can decode at 1/2,
1/4 or 1/8 of the size (``draft``): checks and small copies use the smallest
scale they need, so a large camera photo is never decoded at full size for them.
Removing the location of a JPEG rewrites its metadata without decoding it.

What decoding costs, measured with Pillow on a 12-megapixel photo: PNG and
baseline JPEG one image buffer; progressive JPEG the buffer plus its DCT
coefficients (2 bytes per sample, kept whatever the scale); WebP about four
buffers (the decoder's canvas and copies of it).
"""
from __future__ import annotations

import io
import math
from typing import IO

MAX_PIXELS = 40_000_000  # more than the photos of any camera in use
MAX_DECODE_BYTES = 100 * 1024 * 1024
JPEG_SCALES = (1, 2, 4, 8)
GPS_IFD = 0x8825
ORIENTATION = 0x0112
ORIENTATIONS = {2: "FLIP_LEFT_RIGHT", 3: "ROTATE_180", 4: "FLIP_TOP_BOTTOM", 5: "TRANSPOSE", 6: "ROTATE_270",
                7: "TRANSVERSE", 8: "ROTATE_90"}
REDUCING_GAP = 2.0  # thumbnails: reduce in big steps first, resample the last factor of 2 properly


class TooLarge(ValueError):
    """The photo would take more memory to decode than the budget allows."""


def _bytes_per_pixel(mode: str) -> int:
    # Pillow keeps one byte per pixel for 1-band 8-bit images, two for 16-bit, four otherwise (RGB too).
    if mode in ("1", "L", "P"):
        return 1
    return 2 if mode.startswith("I;16") else 4


def _coefficient_bytes(image) -> int:
    """A progressive JPEG keeps every DCT coefficient of every component until the last scan."""
    if not (image.info.get("progressive") or image.info.get("progression")):
        return 0
    layers = getattr(image, "layer", None) or [("", 1, 1, 0)]
    h_max = max(layer[1] for layer in layers)
    v_max = max(layer[2] for layer in layers)
    samples = sum(math.ceil(image.width * layer[1] / h_max) * math.ceil(image.height * layer[2] / v_max)
                  for layer in layers)
    return 2 * samples


def _budget_scale(image) -> int:
    """The smallest JPEG reduction whose decoding fits the budget (1 for other formats)."""
    if image.format not in ("JPEG", "MPO"):
        return 1
    return next((scale for scale in JPEG_SCALES if decode_cost(image, scale) <= MAX_DECODE_BYTES), JPEG_SCALES[-1])


def _box_scale(image, box: tuple[int, int] | None) -> int:
    """The largest JPEG reduction that still gives at least ``box``."""
    if box is None or image.format not in ("JPEG", "MPO"):
        return 1
    fitting = [scale for scale in JPEG_SCALES if image.width // scale >= box[0] and image.height // scale >= box[1]]
    return max(fitting, default=1)


def decode_cost(image, scale: int = 1) -> int:
    """Bytes that decoding ``image`` (opened, not loaded) at 1/``scale`` will hold."""
    if image.format == "WEBP":
        return 4 * image.width * image.height * 4
    width, height = image.width // scale or 1, image.height // scale or 1
    return width * height * _bytes_per_pixel(image.mode) + _coefficient_bytes(image)


def open_bounded(source: IO[bytes] | str, box: tuple[int, int] | None = None):
    """Open a photo and prepare it to decode within the budget, reduced to no less than
    ``box`` when one is given (JPEG only). Raises ``TooLarge`` before decoding anything
    when it cannot fit. The caller closes the image."""
    from PIL import Image

    try:
        image = Image.open(source)
    except Image.DecompressionBombError as bomb:  # Pillow's own ceiling, far above ours
        raise TooLarge() from bomb
    try:
        scale = max(_budget_scale(image), _box_scale(image, box))
        if image.width * image.height > MAX_PIXELS or decode_cost(image, scale) > MAX_DECODE_BYTES:
            raise TooLarge()
        if scale > 1:
            # Pillow picks the reduction from the size asked for: whole multiples of the scale.
            image.draft(None, (image.width // scale, image.height // scale))
    except BaseException:
        image.close()
        raise
    return image


def check_decodes(data: bytes, kind: str) -> bool:
    """True when the bytes are a whole photo of ``kind`` (JPEG, PNG, WEBP) that decodes.
    Raises ``TooLarge`` (before decoding) for a photo over the budget."""
    from PIL import Image

    try:
        with open_bounded(io.BytesIO(data)) as image:
            # Phones save JPEGs with a second, smaller picture inside: Pillow calls them MPO.
            found = "JPEG" if image.format == "MPO" else image.format
            if found != kind:
                return False
        with Image.open(io.BytesIO(data)) as image:
            image.verify()  # structure and checksums, without decoding the pixels
        with open_bounded(io.BytesIO(data)) as image:
            image.load()
    except TooLarge:
        raise
    except Exception:  # Pillow raises many kinds of errors on bad input
        return False
    return True


def thumbnail(source: IO[bytes] | str, size: int) -> bytes:
    """A JPEG of at most ``size`` pixels a side, without metadata. A JPEG is decoded at the
    smallest scale that still gives twice that; the picture is turned upright (EXIF
    orientation) once small. Raises ``TooLarge`` or Pillow's errors."""
    from PIL import Image

    box = (int(size * REDUCING_GAP), int(size * REDUCING_GAP))
    with open_bounded(source, box) as image:
        turn = ORIENTATIONS.get(image.getexif().get(ORIENTATION))
        image.thumbnail((size, size), reducing_gap=REDUCING_GAP)
        small = image.transpose(getattr(Image.Transpose, turn)) if turn else image
        out = io.BytesIO()
        small.convert("RGB").save(out, format="JPEG", quality=80)
    return out.getvalue()


def without_location(data: bytes) -> bytes:
    """The photo without its EXIF GPS data (other EXIF, such as the camera and the time the
    photo was taken, is kept). A JPEG keeps its compressed picture untouched."""
    with open_bounded(io.BytesIO(data)) as image:
        full_size = image.size
        exif = image.getexif()
        exif.get_ifd(GPS_IFD)  # load the sub-directory so that deleting it removes it
        if GPS_IFD in exif:
            del exif[GPS_IFD]
        if image.format in ("JPEG", "MPO"):
            rewritten = _jpeg_with_exif(data, exif.tobytes())
            if rewritten is not None:
                return rewritten
        image.load()
        if image.size != full_size:  # a reduced decode must never replace the evidence
            raise TooLarge()
        options = {"exif": exif.tobytes()}
        if image.info.get("icc_profile"):
            options["icc_profile"] = image.info["icc_profile"]
        if image.format == "JPEG":  # re-encode with the original tables: no visible loss
            options.update(quality="keep", subsampling="keep")
        elif image.format in ("MPO", "WEBP"):
            options["quality"] = 95
        out = io.BytesIO()
        image.save(out, format="JPEG" if image.format == "MPO" else image.format, **options)
    return out.getvalue()


def _jpeg_with_exif(data: bytes, exif: bytes) -> bytes | None:
    """The first picture of a JPEG with its EXIF segment replaced by ``exif``, other location
    carriers (XMP, the index of a phone's extra pictures, the extra pictures) left out, every
    other segment and the compressed data copied as they are. None when the file is not laid
    out as expected."""
    segments = [b"\xff\xd8"]
    if not data.startswith(b"\xff\xd8"):
        return None
    replaced, position = False, 2
    while position + 2 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:  # end of the first picture: what follows is extra pictures
            segments.append(b"\xff\xd9")
            return b"".join(segments)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            segments.append(data[position:position + 2])
            position += 2
            continue
        if position + 4 > len(data):
            return None
        end = position + 2 + int.from_bytes(data[position + 2:position + 4], "big")
        body = data[position + 4:end]
        segment, position = data[position:end], end
        if marker == 0xE1 and body.startswith(b"Exif\x00\x00"):
            if not replaced and len(exif) + 2 <= 0xFFFF:
                segments.append(b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif)
            replaced = True
            continue
        if marker == 0xE1 and body.startswith((b"http://ns.adobe.com/xap/1.0/", b"http://ns.adobe.com/xmp/extension/")):
            continue
        if marker == 0xE2 and body.startswith(b"MPF\x00"):
            continue
        segments.append(segment)
        if marker == 0xDA:  # a scan: compressed data runs to the next marker that is not a restart
            scan_end = position
            while True:
                scan_end = data.find(b"\xff", scan_end)
                if scan_end < 0 or scan_end + 1 >= len(data):
                    return None
                following = data[scan_end + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    scan_end += 2
                    continue
                break
            segments.append(data[position:scan_end])
            position = scan_end
    return None
