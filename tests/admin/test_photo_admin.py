"""Photos in the admin: the phone forms of visits and reports, the galleries, the office's delete; bad
files refused with the API's messages and nothing stored; forged posts change nothing."""

from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from projects.domain.choices import Role
from projects.models import Photo, Project, StatusUpdate, Visit
from projects.services import photo_create
from tests.conftest import AS_OF
from tests.admin.clients import signed_in
from tests.factories import VisitFactory
from tests.photos import images
from tests.photos.test_photo_api import BAD_FILES
from tests.snapshots import snapshot, stored_files

NO_PROBLEM_ROWS = {"raised_problems-TOTAL_FORMS": "0", "raised_problems-INITIAL_FORMS": "0"}
TAKEN = datetime(2023, 5, 4, 9, 40)


@pytest.fixture(autouse=True)
def pinned_as_of(settings):
    settings.PORTFOLIO_AS_OF = AS_OF


@pytest.fixture
def official(official_a):
    return signed_in(Role.OFFICIAL, official=official_a)


@pytest.fixture
def clerk(dept_a):
    return signed_in(Role.DEPARTMENT, department=dept_a)


@pytest.fixture
def office(db):
    return signed_in(Role.ADMIN)


def photo(content: bytes, name: str = "IMG_2041.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def visit_form(project, official, **extra) -> dict:
    return {"project": project.pk, "visited_on": "2023-05-04", "kind": "inspection", "official": official.pk,
            "note": "现场督导：主体结构施工", "photo_caption": "塔吊作业面", **NO_PROBLEM_ROWS, **extra}


def report_form(project, **extra) -> dict:
    return {"project": project.pk, "status_to": "", "completed_investment": "", "progress_percent": "45",
            "note": "主体施工至五层", "problems": "", "next_steps": "", "reported_on": "2023-05-04",
            "photo_caption": "五层顶板", **NO_PROBLEM_ROWS, **extra}


def test_the_phone_forms_offer_the_camera(official, clerk, project_a):
    for client, model in ((official, Visit), (clerk, StatusUpdate)):
        html = client.get(reverse(f"admin:projects_{model._meta.model_name}_add"), {"project": project_a.pk})
        html = html.content.decode()
        assert 'type="file" name="photos"' in html
        assert 'accept="image/*"' in html and 'capture="environment"' in html and "multiple" in html
        assert 'enctype="multipart/form-data"' in html


def test_an_official_records_a_visit_with_photos(official, official_a, project_a):
    response = official.post(reverse("admin:projects_visit_add"), visit_form(project_a, official_a, photos=[
        photo(images.jpeg(TAKEN, images.ERQI_SQUARE)), photo(images.jpeg(TAKEN, images.ZHENGDONG), "IMG_2042.jpg"),
    ]))
    assert response.status_code == 302, response.context and response.context["errors"]
    visit = Visit.objects.get(project=project_a)
    photos = Photo.objects.with_check((34.55, 113.48, 34.78, 113.71)).filter(visit=visit).order_by("pk")
    assert [(p.caption, p.photo_check, p.uploaded_by) for p in photos] == [
        ("塔吊作业面", "ok", official.user), ("塔吊作业面", "outside_area", official.user),
    ]
    assert len(stored_files()["photo storage"]) == 4
    assert stored_files()["upload folder"] == []
    # The office sees them on the visit's page and the project's, with their check.
    office = signed_in(Role.ADMIN)
    for page in (reverse("admin:projects_visit_change", args=[visit.pk]),
                 reverse("admin:projects_project_change", args=[project_a.pk])):
        html = office.get(page).content.decode()
        assert "2023年5月4日 拍摄" in html
        assert 'photo-check-ok' in html and 'photo-check-outside_area' in html and "不在辖区内" in html
        assert f"/api/v1/projects/{project_a.pk}/photos/{photos[0].pk}/thumbnail/" in html


def test_a_clerk_files_a_report_with_a_photo(clerk, project_a):
    response = clerk.post(reverse("admin:projects_statusupdate_add"),
                          report_form(project_a, photos=[photo(images.jpeg(TAKEN, images.ERQI_SQUARE))]))
    assert response.status_code == 302
    report = StatusUpdate.objects.get(project=project_a)
    assert Photo.objects.get().status_update == report
    html = clerk.get(reverse("admin:projects_statusupdate_change", args=[report.pk])).content.decode()
    assert "形象进度照片" in html and "photo-check-ok" in html


def test_an_official_adds_photos_to_a_saved_visit(official, official_a, project_a):
    visit = VisitFactory(project=project_a, official=official_a, visited_on=date(2023, 5, 1))
    data = visit_form(project_a, official_a, visited_on="2023-05-01", note="",
                      photos=[photo(images.jpeg(datetime(2023, 5, 8, 9), images.ERQI_SQUARE))])
    response = official.post(reverse("admin:projects_visit_change", args=[visit.pk]), data)
    assert response.status_code == 302
    [added] = Photo.objects.with_check((34.55, 113.48, 34.78, 113.71)).filter(visit=visit)
    assert added.photo_check == "date_mismatch"
    visit.refresh_from_db()
    assert visit.note == ""


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_in_the_form_and_nothing_is_stored(official, official_a, project_a, case):
    make, name, content_type, words = BAD_FILES[case]
    before = snapshot()
    response = official.post(reverse("admin:projects_visit_add"), visit_form(project_a, official_a, photos=[
        photo(images.jpeg(TAKEN, images.ERQI_SQUARE), "good.jpg"), photo(make(), name, content_type),
    ]))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["photos"]
    assert errors == [msg for msg in errors if msg.startswith("第2张")] and words in errors[0]
    assert snapshot() == before


def test_a_file_over_the_limit_is_refused_in_the_form(official, official_a, project_a, settings):
    content = images.jpeg(TAKEN, images.ERQI_SQUARE, size=(1200, 900), quality=95)
    settings.PHOTO_MAX_BYTES = len(content) - 1
    before = snapshot()
    response = official.post(reverse("admin:projects_visit_add"), visit_form(project_a, official_a,
                                                                             photos=[photo(content)]))
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["photos"]
    assert message.startswith("照片过大")
    assert snapshot() == before


def test_a_refused_visit_keeps_no_photo(official, official_a, project_a):
    """The visit is refused after its photos decoded (a date in the future): neither rows nor files stay."""
    before = snapshot()
    response = official.post(reverse("admin:projects_visit_add"), visit_form(
        project_a, official_a, visited_on="2031-01-01", photos=[photo(images.jpeg(TAKEN, images.ERQI_SQUARE))]))
    assert response.status_code == 200
    assert snapshot() == before


def test_forged_posts_change_nothing(official, official_a, project_b, official_b, project_a):
    before = snapshot()
    # A visit with a photo on a project the official does not lead.
    response = official.post(reverse("admin:projects_visit_add"), visit_form(
        project_b, official_a, photos=[photo(images.jpeg(TAKEN, images.ERQI_SQUARE))]))
    assert response.status_code in (200, 403)
    assert snapshot() == before
    # The same form without its CSRF token.
    forger = Client(enforce_csrf_checks=True)
    forger.force_login(official.user)
    before = snapshot()
    response = forger.post(reverse("admin:projects_visit_add"), visit_form(
        project_a, official_a, photos=[photo(images.jpeg(TAKEN, images.ERQI_SQUARE))]))
    assert response.status_code == 403
    assert snapshot() == before


def test_only_the_office_deletes_a_photo(official, clerk, office, project_a, django_capture_on_commit_callbacks):
    kept = photo_create(user=official.user, project=project_a, file=photo(images.jpeg(TAKEN)))
    page = reverse("admin:projects_photo_delete", args=[kept.pk])
    for client in (official, clerk):
        before = snapshot()
        assert client.post(page, {"post": "yes"}).status_code == 403
        assert snapshot() == before
    assert "照片" in official.get(reverse("admin:projects_photo_change", args=[kept.pk])).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert office.post(page, {"post": "yes"}).status_code == 302
    assert not Photo.objects.exists()
    assert stored_files() == {"photo storage": [], "upload folder": []}


def test_the_photo_list_filters_by_check(office, official, project_a):
    photo_create(user=official.user, project=project_a, caption="郑东", file=photo(images.jpeg(TAKEN, images.ZHENGDONG)))
    photo_create(user=official.user, project=project_a, caption="二七", file=photo(images.jpeg(TAKEN, images.ERQI_SQUARE)))
    html = office.get(reverse("admin:projects_photo_changelist"), {"check": "outside_area"}).content.decode()
    assert "郑东" in html and "二七" not in html.split("<tbody")[-1]


def test_a_project_with_photos_is_not_deleted(office, official, project_a):
    photo_create(user=official.user, project=project_a, file=photo(images.jpeg(TAKEN)))
    before = snapshot()
    office.post(reverse("admin:projects_project_delete", args=[project_a.pk]), {"post": "yes"})
    assert Project.objects.filter(pk=project_a.pk).exists()
    assert snapshot() == before
