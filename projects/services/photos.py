"""Writes of photos: a file is decoded before anything is kept, stored under a random key, deleted by the office.

Only what Pillow decodes as JPEG, PNG or WebP gets in, whatever the file's name or declared type
says; a file that would decode to more pixels than Pillow's decompression-bomb limit is refused
before it is decoded. A JPEG is decoded at a reduced scale (libjpeg still reads every byte, so a
truncated file is caught) unless its EXIF orientation asks for it to be turned, in which case the
upright image is written again. The thumbnail carries no EXIF, so no GPS position.
"""

import io
import secrets
import tempfile
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import storages
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from projects.domain.exceptions import Conflict
from projects.models import PHOTO_TYPES, Photo, Project, StatusUpdate, Visit
from projects.services.base import _save

# Pillow warns between its pixel limit and twice it, and raises above; here both are a refusal.
warnings.simplefilter("error", Image.DecompressionBombWarning)

FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
THUMBNAIL_SIZE = (480, 480)
LOCAL = ZoneInfo("Asia/Shanghai")
# HEIF/HEIC files (iPhones) start with an `ftyp` box naming one of these brands.
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif"}

NO_FILE = "请选择要上传的照片。"
EMPTY = "照片文件为空。"
NOT_AN_IMAGE = "不是可识别的照片：只接受 JPEG、PNG、WebP 格式的图片（按文件内容判断，不看文件名）。"
HEIC = ("暂不接受 HEIC/HEIF 格式：请通过手机网页上传（系统会自动转为 JPEG），"
        "或在相机设置中选择“兼容性最佳”后重新拍摄。")
BROKEN = "照片已损坏或不完整，无法解码，请重新上传。"
BOMB = "图片像素过多（上限 {limit} 万像素），可能是恶意构造的文件，不予接收。"
TOO_LARGE = "照片过大（{size:.1f} MiB），上限为 {limit:.1f} MiB。"
BOTH_RECORDS = "一张照片只能关联一条进度填报或一次调研。"
OTHER_PROJECT = "该{name}不属于这个项目。"

# EXIF tags (TIFF/EXIF 2.3).
ORIENTATION, DATETIME, EXIF_IFD, GPS_IFD = 0x0112, 0x0132, 0x8769, 0x8825
DATETIME_ORIGINAL, OFFSET_TIME_ORIGINAL = 0x9003, 0x9011
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON = 1, 2, 3, 4


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


@dataclass
class DecodedPhoto:
    """What the upload turned out to be; `upright` is the image written again when EXIF turned it."""

    source: File
    content_type: str
    size: int
    width: int
    height: int
    taken_at: datetime | None
    latitude: float | None
    longitude: float | None
    thumbnail: bytes
    upright: tempfile.SpooledTemporaryFile | None = None

    def close(self) -> None:
        if self.upright is not None:
            self.upright.close()


def size_refusal(size: int) -> str:
    """The message for a file of `size` bytes over PHOTO_MAX_BYTES."""
    mib = 1024 * 1024
    return TOO_LARGE.format(size=size / mib, limit=settings.PHOTO_MAX_BYTES / mib)


def _taken_at(exif: Image.Exif) -> datetime | None:
    details = exif.get_ifd(EXIF_IFD)
    raw = details.get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if not isinstance(raw, str):
        return None
    try:
        taken = datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = details.get(OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str) and len(offset) >= 6 and offset[0] in "+-":
        try:
            sign = 1 if offset[0] == "+" else -1
            hours, minutes = int(offset[1:3]), int(offset[4:6])
            return taken.replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))
        except ValueError:
            pass
    # A camera without an offset writes its local time: the district's.
    return taken.replace(tzinfo=LOCAL)


def _degrees(value, ref) -> float | None:
    try:
        degrees, minutes, seconds = (float(part) for part in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    return -result if str(ref).strip("\x00 ").upper() in ("S", "W") else result


def _location(exif: Image.Exif) -> tuple[float, float] | tuple[None, None]:
    gps = exif.get_ifd(GPS_IFD)
    if not gps:
        return None, None
    lat = _degrees(gps.get(GPS_LAT), gps.get(GPS_LAT_REF))
    lon = _degrees(gps.get(GPS_LON), gps.get(GPS_LON_REF))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat, lon) == (0, 0):
        return None, None
    return round(lat, 6), round(lon, 6)


def _is_heif(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS


class _Borrowed(io.RawIOBase):
    """The upload as Pillow reads it: Pillow closes what it was handed, but the upload is stored afterwards."""

    def __init__(self, file):
        self.file = file

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = 0) -> int:
        self.file.seek(offset, whence)
        return self.file.tell()

    def tell(self) -> int:
        return self.file.tell()

    def close(self) -> None:
        pass


def _bomb() -> str:
    return BOMB.format(limit=Image.MAX_IMAGE_PIXELS // 10_000)


def _open(file) -> Image.Image:
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    if _is_heif(head):
        raise _refuse(HEIC)
    try:
        image = Image.open(io.BufferedReader(_Borrowed(file), 256 * 1024), formats=list(FORMATS))
    except UnidentifiedImageError:
        raise _refuse(NOT_AN_IMAGE) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_bomb()) from None
    except Exception:  # noqa: BLE001 - any failure of a decoder on untrusted bytes is a bad file
        raise _refuse(BROKEN) from None
    pixels = image.width * image.height
    if Image.MAX_IMAGE_PIXELS and pixels > Image.MAX_IMAGE_PIXELS:
        image.close()
        raise _refuse(_bomb())
    return image


def _thumbnail(image: Image.Image) -> bytes:
    small = image.copy()
    small.thumbnail(THUMBNAIL_SIZE)
    if small.mode in ("RGBA", "LA", "P", "PA"):
        rgba = small.convert("RGBA")
        small = Image.new("RGB", rgba.size, (255, 255, 255))
        small.paste(rgba, mask=rgba.getchannel("A"))
    elif small.mode != "RGB":
        small = small.convert("RGB")
    out = io.BytesIO()
    # No `exif=`: the thumbnail keeps nothing of the original's metadata, GPS included.
    small.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def _upright(image: Image.Image, image_format: str) -> tuple[Image.Image, tempfile.SpooledTemporaryFile]:
    """The image turned as its EXIF orientation says, written again in its own format with its EXIF."""
    turned = ImageOps.exif_transpose(image)
    image.close()  # the decoded pixels in the old orientation are not needed any more
    exif = turned.getexif()
    exif[ORIENTATION] = 1
    out = tempfile.SpooledTemporaryFile(max_size=1024 * 1024, dir=settings.FILE_UPLOAD_TEMP_DIR)
    options = {"exif": exif.tobytes()}
    if image_format in ("JPEG", "WEBP"):
        options["quality"] = 92
    turned.save(out, image_format, **options)
    out.seek(0)
    return turned, out


def photo_decode(file) -> DecodedPhoto:
    """Decode an uploaded file as a photo, or raise a ValidationError on `file` saying why not (in Chinese).

    Nothing is written anywhere but a temporary file for a turned image, which `close()` removes.
    """
    if file is None:
        raise _refuse(NO_FILE)
    size = file.size
    if not size:
        raise _refuse(EMPTY)
    if size > settings.PHOTO_MAX_BYTES:
        raise _refuse(size_refusal(size))
    image = _open(file)
    upright = None
    try:
        image_format = image.format
        try:
            exif = image.getexif()
            orientation = exif.get(ORIENTATION, 1)
            taken_at = _taken_at(exif)
            latitude, longitude = _location(exif)
        except Exception:  # noqa: BLE001 - unreadable EXIF is no EXIF
            orientation, taken_at, latitude, longitude = 1, None, None, None
        full_width, full_height = image.size
        try:
            if orientation in (2, 3, 4, 5, 6, 7, 8):
                image.load()
                shown, upright = _upright(image, image_format)
            else:
                if image_format == "JPEG":
                    # Decoded at 1/2 to 1/8 scale: memory for the thumbnail, every byte still read.
                    image.draft("RGB", THUMBNAIL_SIZE)
                image.load()
                shown = image
            turned = orientation in (5, 6, 7, 8)
            width, height = (full_height, full_width) if turned else (full_width, full_height)
            thumbnail = _thumbnail(shown)
        except Exception:  # noqa: BLE001 - a truncated or corrupt file fails somewhere in its decoder
            if upright is not None:
                upright.close()
            raise _refuse(BROKEN) from None
    finally:
        image.close()
    return DecodedPhoto(
        source=file, content_type=FORMATS[image_format], size=size, width=width, height=height,
        taken_at=taken_at, latitude=latitude, longitude=longitude, thumbnail=thumbnail, upright=upright,
    )


class PhotoUploadHandler(TemporaryFileUploadHandler):
    """Every uploaded file of a photo request goes to a temporary file as it arrives, never to memory;
    one that grows past PHOTO_MAX_BYTES is dropped (its temporary file removed) and the request marked
    `photo_too_large`, so the view answers 400 without keeping it."""

    def new_file(self, *args, **kwargs):
        self.received = 0
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.PHOTO_MAX_BYTES:
            self.request.photo_too_large = max(getattr(self.request, "photo_too_large", 0), self.received)
            raise SkipFile()
        return super().receive_data_chunk(raw_data, start)


def stream_uploads_to_disk(request) -> None:
    """Parse this request's files with PhotoUploadHandler (call before anything reads the body)."""
    request.upload_handlers = [PhotoUploadHandler(request)]


def too_large(request) -> None:
    """Raise the size refusal when PhotoUploadHandler dropped a file of this request."""
    size = getattr(request, "photo_too_large", 0)
    if size:
        raise _refuse(size_refusal(size))


def _key(extension: str) -> str:
    """A storage key nobody can guess from an id or a date: 24 random bytes."""
    return f"{secrets.token_urlsafe(24)}.{extension}"


def _check_record(project: Project, status_update: StatusUpdate | None, visit: Visit | None) -> None:
    if status_update is not None and visit is not None:
        raise ValidationError({"visit": [BOTH_RECORDS]})
    if status_update is not None and status_update.project_id != project.pk:
        raise ValidationError({"status_update": [OTHER_PROJECT.format(name="进度填报")]})
    if visit is not None and visit.project_id != project.pk:
        raise ValidationError({"visit": [OTHER_PROJECT.format(name="调研")]})


def _delete_files(names) -> None:
    storage = storages["photos"]
    for name in names:
        if name:
            storage.delete(name)


def photo_create(
    *,
    user,
    project: Project,
    file=None,
    caption: str = "",
    status_update: StatusUpdate | None = None,
    visit: Visit | None = None,
    decoded: DecodedPhoto | None = None,
) -> Photo:
    """Keep a photo of `project` (linked to one of its reports or visits, or to none) that decodes.

    The files are written first, then the row; if the row is refused the files are deleted again.
    `decoded` is the photo_decode of `file` when the caller has decoded it already (a form).
    """
    _check_record(project, status_update, visit)
    decoded = decoded or photo_decode(file)
    storage = storages["photos"]
    stored = []
    try:
        source = decoded.upright or decoded.source
        source.seek(0)
        # An upload already on disk is handed over as it is: a local storage moves it instead of copying.
        content = source if isinstance(source, File) else File(source)
        stored.append(storage.save(_key(PHOTO_TYPES[decoded.content_type]), content))
        stored.append(storage.save(_key("jpg"), File(io.BytesIO(decoded.thumbnail))))
        taken_on = decoded.taken_at.astimezone(LOCAL).date() if decoded.taken_at else None
        with transaction.atomic():
            return _save(Photo(
                project=project, caption=caption, status_update=status_update, visit=visit, uploaded_by=user,
                width=decoded.width, height=decoded.height, taken_at=decoded.taken_at, taken_on=taken_on,
                latitude=decoded.latitude, longitude=decoded.longitude, content_type=decoded.content_type,
                size=decoded.size, file=stored[0], thumbnail=stored[1],
            ))
    except BaseException:
        _delete_files(stored)
        raise
    finally:
        decoded.close()


@transaction.atomic
def photo_delete(*, photo: Photo, user) -> None:
    """Delete a photo; its files go once the deletion is committed."""
    names = (photo.file, photo.thumbnail)
    photo.delete()
    transaction.on_commit(lambda: _delete_files(names))


def photo_files_discard(photos) -> None:
    """Delete the files of photos whose rows are being rolled back (a form that failed after storing them)."""
    _delete_files(name for photo in photos for name in (photo.file, photo.thumbnail))


def photos_forbid_delete(record: Visit | Project) -> None:
    """A visit or a project with photos is not deleted: the photos are its record (留痕)."""
    if record.photos.exists():
        raise Conflict(f"“{record}”已有照片，不能删除；如需删除，请先由重点项目办删除其照片。")
