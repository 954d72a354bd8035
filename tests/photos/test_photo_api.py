"""/api/v1/projects/{id}/photos/: upload, read, check, serve and delete photos; bad files store nothing."""

import io
import re
from datetime import date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from projects.models import Photo
from projects.services import photo_create, status_update_create
from projects.services.photos import photo_decode
from tests.factories import UserFactory, VisitFactory
from tests.photos import images
from tests.snapshots import snapshot, stored_files

VISIT_DAY = date(2023, 5, 2)
NOON = datetime(2023, 5, 2, 10, 30)


def url(project, photo=None, tail="") -> str:
    base = f"/api/v1/projects/{project.pk}/photos/"
    return f"{base}{photo}/{tail}" if photo is not None else base


def upload_file(content: bytes, name: str = "site.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def post(client, project, content: bytes | None, name="site.jpg", content_type="image/jpeg", **fields):
    body = {"caption": "塔吊进场", **fields}
    if content is not None:
        body["file"] = upload_file(content, name, content_type)
    return client.post(url(project), body, format="multipart")


@pytest.fixture
def visit(project_a, official_a):
    return VisitFactory(project=project_a, official=official_a, visited_on=VISIT_DAY, kind="inspection")


def test_an_official_uploads_a_visit_photo_and_reads_it_back(official_client, project_a, visit):
    response = post(official_client, project_a, images.jpeg(NOON, images.ERQI_SQUARE), visit=visit.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    photo = Photo.objects.get()
    assert list(body) == ["id", "project", "caption", "status_update", "visit", "uploaded_by", "uploaded_at",
                          "width", "height", "taken_at", "location", "check", "check_display", "url",
                          "thumbnail_url"]
    assert body["id"] == photo.pk
    assert body["project"] == {"id": project_a.pk, "code": project_a.code, "name": project_a.name}
    assert (body["caption"], body["status_update"], body["visit"]) == ("塔吊进场", None, visit.pk)
    assert body["uploaded_by"]["username"] == "official_user"
    assert (body["width"], body["height"]) == (640, 480)
    assert body["taken_at"] == "2023-05-02T10:30:00+08:00"
    assert body["location"] == pytest.approx({"lat": images.ERQI_SQUARE[0], "lon": images.ERQI_SQUARE[1]},
                                             abs=1e-5)
    assert (body["check"], body["check_display"]) == ("ok", "正常")
    assert body["url"] == f"http://testserver/api/v1/projects/{project_a.pk}/photos/{photo.pk}/file/"
    assert body["thumbnail_url"] == f"http://testserver/api/v1/projects/{project_a.pk}/photos/{photo.pk}/thumbnail/"
    assert official_client.get(url(project_a, photo.pk)).json() == body
    assert official_client.get(url(project_a)).json()["results"] == [body]


def test_the_file_is_served_as_what_it_decoded_as(reader_client, official_client, project_a, visit):
    content = images.jpeg(NOON, images.ERQI_SQUARE)
    photo_id = post(official_client, project_a, content, name="<script>.html", content_type="text/html",
                    visit=visit.pk).json()["id"]
    response = reader_client.get(url(project_a, photo_id, "file/"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="photo-{photo_id}.jpg"'
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_thumbnail_is_small_and_carries_no_exif(official_client, project_a, visit):
    photo_id = post(official_client, project_a, images.jpeg(NOON, images.ERQI_SQUARE, size=(1600, 1200)),
                    visit=visit.pk).json()["id"]
    response = official_client.get(url(project_a, photo_id, "thumbnail/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    thumbnail = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert thumbnail.size == (480, 360)
    assert not thumbnail.getexif()
    assert "exif" not in thumbnail.info
    assert not thumbnail.getexif().get_ifd(0x8825)


@pytest.mark.parametrize("orientation", [6, 8, 3])
def test_exif_orientation_is_applied(official_client, project_a, orientation):
    """A phone held upright writes a landscape sensor image and orientation 6: it is stored upright."""
    content = images.jpeg(NOON, images.ERQI_SQUARE, orientation=orientation)
    body = post(official_client, project_a, content).json()
    turned = orientation in (6, 8)
    assert (body["width"], body["height"]) == ((480, 640) if turned else (640, 480))
    for tail in ("file/", "thumbnail/"):
        response = official_client.get(url(project_a, body["id"], tail))
        stored = Image.open(io.BytesIO(b"".join(response.streaming_content)))
        assert stored.getexif().get(0x0112, 1) == 1
        width, height = stored.size
        assert (width < height) == turned
        # The red quarter was top-left: 6 (turn right) moves it top-right, 8 bottom-left, 3 bottom-right.
        corner = {6: (width - 2, 2), 8: (2, height - 2), 3: (width - 2, height - 2)}[orientation]
        red, green, blue = stored.convert("RGB").getpixel(corner)
        assert red > 150 and blue < 100, (tail, stored.getpixel(corner))
    # The stored file keeps its capture date and place; only the thumbnail is stripped.
    assert body["taken_at"] and body["location"]


@pytest.mark.parametrize("days, check", [
    (0, "ok"), (3, "ok"), (-3, "ok"), (4, "date_mismatch"), (-4, "date_mismatch"),
])
def test_a_visit_photo_is_checked_against_the_visits_day(official_client, project_a, visit, days, check):
    taken = datetime.combine(VISIT_DAY + timedelta(days=days), datetime.min.time()).replace(hour=9)
    body = post(official_client, project_a, images.jpeg(taken, images.ERQI_SQUARE), visit=visit.pk).json()
    assert body["check"] == check
    assert body["taken_at"].startswith((VISIT_DAY + timedelta(days=days)).isoformat())


def test_a_photo_taken_outside_the_district_is_flagged(official_client, project_a, visit):
    body = post(official_client, project_a, images.jpeg(NOON, images.ZHENGDONG), visit=visit.pk).json()
    assert (body["check"], body["check_display"]) == ("outside_area", "不在辖区内")
    assert body["location"] == pytest.approx({"lat": images.ZHENGDONG[0], "lon": images.ZHENGDONG[1]}, abs=1e-5)


def test_the_area_is_a_setting(official_client, project_a, visit, settings):
    settings.PHOTO_AREA = (34.70, 113.70, 34.80, 113.80)
    body = post(official_client, project_a, images.jpeg(NOON, images.ZHENGDONG), visit=visit.pk).json()
    assert body["check"] == "ok"


def test_a_photo_without_exif_says_so(department_client, project_a, visit):
    body = post(department_client, project_a, images.jpeg(), visit=visit.pk).json()
    assert (body["taken_at"], body["location"], body["check"], body["check_display"]) == (
        None, None, "no_exif", "无拍摄信息")


def test_a_report_photo_is_checked_against_the_reports_day(department_client, project_a):
    report = status_update_create(project=project_a, user=department_client.user, note="本周进展",
                                  reported_on=date(2023, 5, 8))
    near = post(department_client, project_a, images.jpeg(datetime(2023, 5, 5, 16, 0), images.ERQI_SQUARE),
                status_update=report.pk).json()
    far = post(department_client, project_a, images.jpeg(datetime(2023, 5, 1, 16, 0), images.ERQI_SQUARE),
               status_update=report.pk).json()
    alone = post(department_client, project_a, images.jpeg(datetime(2023, 1, 1, 16, 0), images.ERQI_SQUARE)).json()
    assert (near["status_update"], near["check"]) == (report.pk, "ok")
    assert far["check"] == "date_mismatch"
    assert alone["check"] == "ok"  # nothing to compare its day with


def test_the_check_follows_a_corrected_visit_day(official_client, project_a, visit):
    body = post(official_client, project_a, images.jpeg(NOON, images.ERQI_SQUARE), visit=visit.pk).json()
    visit.visited_on = VISIT_DAY + timedelta(days=10)
    visit.save()
    assert official_client.get(url(project_a, body["id"])).json()["check"] == "date_mismatch"


@pytest.mark.parametrize("make, name", [(images.png, "site.png"), (images.webp, "site.webp")])
def test_png_and_webp_are_taken(official_client, project_a, make, name):
    response = post(official_client, project_a, make(), name=name, content_type="application/octet-stream")
    assert response.status_code == 201, response.content
    served = official_client.get(url(project_a, response.json()["id"], "file/"))
    assert served["Content-Type"] == {"site.png": "image/png", "site.webp": "image/webp"}[name]


# --- bad files ----------------------------------------------------------------------------------


def truncated_jpeg() -> bytes:
    content = images.jpeg(NOON, images.ERQI_SQUARE, size=(1200, 900))
    return content[: len(content) * 2 // 3]


def heic() -> bytes:
    from pathlib import Path
    return (Path(__file__).parent / "files" / "iphone.heic").read_bytes()


# input -> (file name, declared type, the message's telling words)
BAD_FILES = {
    "html renamed .jpg": (lambda: images.HTML, "site.jpg", "image/jpeg", "不是可识别的照片"),
    "shell script renamed .png": (lambda: images.SCRIPT, "site.png", "image/png", "不是可识别的照片"),
    "svg with a script": (lambda: images.SVG, "site.svg", "image/svg+xml", "不是可识别的照片"),
    "gif": (images.gif, "site.gif", "image/gif", "不是可识别的照片"),
    "truncated jpeg": (truncated_jpeg, "site.jpg", "image/jpeg", "已损坏或不完整"),
    "decompression bomb png, 400 megapixels": (images.bomb, "site.png", "image/png", "像素过多"),
    "decompression bomb png, 100 megapixels": (lambda: images.bomb(10_000), "site.png", "image/png", "像素过多"),
    "heic from an iphone": (heic, "IMG_0001.HEIC", "image/heic", "HEIC"),
    "empty file": (lambda: b"", "site.jpg", "image/jpeg", "照片"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_and_nothing_is_stored(official_client, project_a, visit, case):
    make, name, content_type, words = BAD_FILES[case]
    before = snapshot()
    response = post(official_client, project_a, make(), name=name, content_type=content_type, visit=visit.pk)
    assert response.status_code == 400, response.content
    [message] = response.json()["file"]
    assert words in message
    assert snapshot() == before


def test_a_truncated_photo_is_still_refused_once_the_pdf_renderer_is_loaded(official_client, project_a, monkeypatch):
    # Importing WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES; a web process that has
    # rendered a bulletin PDF must still refuse a truncated photo.
    from PIL import ImageFile

    from projects.reports import pdf

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # as WeasyPrint's import leaves it
    try:
        pdf._weasyprint()
    except pdf.PdfUnavailable:
        pytest.skip("WeasyPrint is not installed here")
    before = snapshot()
    response = post(official_client, project_a, truncated_jpeg())
    assert response.status_code == 400, response.content
    assert snapshot() == before


def test_a_file_over_the_limit_is_refused_and_nothing_is_stored(official_client, project_a, settings):
    content = images.jpeg(NOON, images.ERQI_SQUARE, size=(1200, 900), quality=95)
    settings.PHOTO_MAX_BYTES = len(content) - 1
    before = snapshot()
    response = post(official_client, project_a, content)
    assert response.status_code == 400
    assert response.json() == {"file": [f"照片过大（{len(content) / 1048576:.1f} MiB），上限为 "
                                        f"{(len(content) - 1) / 1048576:.1f} MiB。"]}
    assert snapshot() == before


def test_no_file_is_refused(official_client, project_a):
    before = snapshot()
    response = post(official_client, project_a, None)
    assert response.status_code == 400
    assert response.json() == {"file": ["请选择要上传的照片。"]}
    assert snapshot() == before


def test_a_json_body_is_refused(official_client, project_a):
    response = official_client.post(url(project_a), {"caption": "x"}, format="json")
    assert response.status_code == 415


@pytest.mark.parametrize("link", ["other project's visit", "both", "no such visit", "other project's report"])
def test_the_linked_record_must_be_one_of_the_same_project(admin_client, project_a, project_b, visit, link):
    other_visit = VisitFactory(project=project_b)
    other_report = status_update_create(project=project_b, user=admin_client.user, note="x",
                                        reported_on=date(2023, 5, 2))
    report = status_update_create(project=project_a, user=admin_client.user, note="x", reported_on=date(2023, 5, 2))
    fields, key = {
        "other project's visit": ({"visit": other_visit.pk}, "visit"),
        "both": ({"visit": visit.pk, "status_update": report.pk}, "visit"),
        "no such visit": ({"visit": 999999}, "visit"),
        "other project's report": ({"status_update": other_report.pk}, "status_update"),
    }[link]
    before = snapshot()
    response = post(admin_client, project_a, images.jpeg(NOON), **fields)
    assert response.status_code == 400
    assert list(response.json()) == [key]
    assert snapshot() == before


# --- reading, serving, deleting -----------------------------------------------------------------


def test_files_are_for_signed_in_users_only(official_client, anon_client, project_a):
    photo_id = post(official_client, project_a, images.jpeg()).json()["id"]
    for tail in ("", "file/", "thumbnail/"):
        assert anon_client.get(url(project_a, photo_id, tail)).status_code == 401
    assert anon_client.get(url(project_a)).status_code == 401


def test_a_photo_is_found_under_its_own_project_only(official_client, project_a, project_b):
    photo_id = post(official_client, project_a, images.jpeg()).json()["id"]
    for tail in ("", "file/", "thumbnail/"):
        response = official_client.get(url(project_b, photo_id, tail))
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到该照片。"}
    assert official_client.get(url(project_a, "x1", "file/")).status_code == 404
    assert official_client.get("/api/v1/projects/999999/photos/").status_code == 404


def test_storage_keys_are_random_and_not_exposed(official_client, project_a):
    ids = [post(official_client, project_a, images.jpeg()).json()["id"] for _ in range(2)]
    photos = Photo.objects.filter(pk__in=ids)
    keys = [name for photo in photos for name in (photo.file, photo.thumbnail)]
    assert len(set(keys)) == 4
    # 24 random bytes each (32 characters of base64url), nothing else: no id, date or uploaded name.
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}\.jpg", key) for key in keys), keys
    history = official_client.get(f"/api/v1/projects/{project_a.pk}/history/").json()["results"]
    created = [entry for entry in history if entry["object_type"] == "photo"]
    assert [entry["action"] for entry in created] == ["created", "created"]
    assert not {"file", "thumbnail"} & {change["field"] for entry in created for change in entry["changes"]}


def test_the_office_deletes_a_photo_and_its_files_are_gone(
    admin_client, official_client, project_a, django_capture_on_commit_callbacks,
):
    photo_id = post(official_client, project_a, images.jpeg()).json()["id"]
    assert len(stored_files()["photo storage"]) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.delete(url(project_a, photo_id))
    assert response.status_code == 204
    for tail in ("", "file/", "thumbnail/"):
        assert official_client.get(url(project_a, photo_id, tail)).status_code == 404
    assert stored_files() == {"photo storage": [], "upload folder": []}
    history = admin_client.get(f"/api/v1/projects/{project_a.pk}/history/").json()["results"]
    assert history[0]["object_type"] == "photo" and history[0]["action"] == "deleted"


def test_a_visit_with_photos_is_not_deleted(admin_client, official_client, project_a, visit):
    post(official_client, project_a, images.jpeg(NOON), visit=visit.pk)
    before = snapshot()
    response = admin_client.delete(f"/api/v1/visits/{visit.pk}/")
    assert response.status_code == 409
    assert "照片" in response.json()["detail"]
    assert snapshot() == before


def test_the_list_runs_the_same_queries_for_one_and_for_many_photos(official_client, project_a, visit):
    user = UserFactory(username="uploader")
    report = status_update_create(project=project_a, user=user, note="x", reported_on=VISIT_DAY)

    def add(count):
        for number in range(count):
            photo_create(user=user, project=project_a, caption=f"第{number}张",
                         decoded=photo_decode(upload_file(images.jpeg(NOON, images.ERQI_SQUARE, size=(64, 48)))),
                         **({"visit": visit} if number % 2 else {"status_update": report}))

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert official_client.get(url(project_a)).status_code == 200
        return len(context.captured_queries)

    add(1)
    one = queries()
    add(19)
    assert official_client.get(url(project_a)).json()["count"] == 20
    assert queries() == one


# --- the body limit -----------------------------------------------------------------------------


def test_photos_have_their_own_body_limit(official_client, project_a, settings):
    settings.REQUEST_BODY_MAX_BYTES = 4096
    content = images.jpeg(NOON, size=(640, 480))
    assert len(content) > 4096
    assert post(official_client, project_a, content).status_code == 201
    json_refused = official_client.post(f"/api/v1/projects/{project_a.pk}/status-updates/",
                                        {"note": "x" * 5000}, format="json")
    assert json_refused.status_code == 413
    settings.PHOTO_MAX_BYTES = 1024
    before = snapshot()
    # The margin for the form's other fields is 1 MiB: a body past the photo limit and the margin is 413.
    response = post(official_client, project_a, b"\xff" * (1024 * 1024 + 2048))
    assert response.status_code == 413
    assert snapshot() == before
