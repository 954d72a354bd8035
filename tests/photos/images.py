"""Real image files made with Pillow for the photo tests: EXIF dates, GPS, orientation, and bad files."""

import io
import struct
import zlib
from datetime import datetime

from PIL import Image

ORIENTATION, EXIF_IFD, GPS_IFD, DATETIME_ORIGINAL = 0x0112, 0x8769, 0x8825, 0x9003
# 二七广场, inside the default PHOTO_AREA; 郑东新区 CBD (金水区/郑东), outside it.
ERQI_SQUARE = (34.7536, 113.6660)
ZHENGDONG = (34.7710, 113.7300)


def _dms(value: float) -> tuple[float, float, float]:
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return (float(degrees), float(minutes), seconds)


def exif_bytes(taken: datetime | None = None, where: tuple[float, float] | None = None, orientation: int = 1):
    exif = Image.Exif()
    if orientation != 1:
        exif[ORIENTATION] = orientation
    if taken is not None:
        exif.get_ifd(EXIF_IFD)[DATETIME_ORIGINAL] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if where is not None:
        lat, lon = where
        gps = exif.get_ifd(GPS_IFD)
        gps.update({1: "N" if lat >= 0 else "S", 2: _dms(lat), 3: "E" if lon >= 0 else "W", 4: _dms(lon)})
    return exif.tobytes()


def picture(size=(640, 480)) -> Image.Image:
    """A picture whose top-left quarter is red and the rest blue: its orientation can be seen."""
    image = Image.new("RGB", size, (20, 60, 200))
    image.paste((220, 20, 20), (0, 0, size[0] // 2, size[1] // 2))
    return image


def jpeg(taken: datetime | None = None, where=None, orientation: int = 1, size=(640, 480), quality=90) -> bytes:
    out = io.BytesIO()
    options = {"quality": quality}
    if taken is not None or where is not None or orientation != 1:
        options["exif"] = exif_bytes(taken, where, orientation)
    picture(size).save(out, "JPEG", **options)
    return out.getvalue()


def png(size=(320, 240)) -> bytes:
    out = io.BytesIO()
    picture(size).convert("RGBA").save(out, "PNG")
    return out.getvalue()


def webp(size=(320, 240)) -> bytes:
    out = io.BytesIO()
    picture(size).save(out, "WEBP", quality=80)
    return out.getvalue()


def gif(size=(32, 32)) -> bytes:
    out = io.BytesIO()
    picture(size).save(out, "GIF")
    return out.getvalue()


def bomb(side: int = 20_000) -> bytes:
    """A valid PNG of a few hundred bytes per million pixels that decodes to `side`² black pixels
    (400 million for the default): a decompression bomb.

    Its rows (a filter byte and `side` zero bytes each) are all zeros: one block of zeros compressed
    once and flushed with Z_FULL_FLUSH compresses to the same bytes every time, so it is repeated.
    """
    total = side * (side + 1)
    blocks = 400
    block = b"\x00" * (total // blocks)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate: the zlib header is written here
    compressor.compress(block)
    compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    rest = b"\x00" * (total - len(block) * blocks)
    tail = compressor.compress(rest) + compressor.flush(zlib.Z_FINISH)
    checksum = 1
    for _ in range(blocks):
        checksum = zlib.adler32(block, checksum)
    checksum = zlib.adler32(rest, checksum)
    data = b"\x78\xda" + repeated * blocks + tail + struct.pack(">I", checksum)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SCRIPT = b"#!/bin/sh\nrm -rf / --no-preserve-root\n"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(1)</script><rect width="10" height="10"/></svg>')


