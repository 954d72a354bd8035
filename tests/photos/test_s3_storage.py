"""The production storage: an S3-compatible bucket through django-storages, against a real server on 127.0.0.1.

moto's server mode speaks S3 over HTTP like any object store; nothing of boto3 is mocked. The photo
storage is configured by the same function the settings use (STORAGE_BUCKET and friends).
"""

import io
from datetime import datetime

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from portfolio.settings import photo_storage
from projects.models import Photo
from tests.photos import images
from tests.servers import s3_server

ENV = {"STORAGE_BUCKET": "erqi-photos", "STORAGE_ACCESS_KEY_ID": "portfolio",
       "STORAGE_SECRET_ACCESS_KEY": "not-a-real-secret", "STORAGE_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    with s3_server(tmp_path_factory.mktemp("s3") / "s3.log") as url:
        yield url


@pytest.fixture
def bucket(settings, endpoint):
    """An empty bucket, and the photo storage set up on it as STORAGE_* would."""
    env = {**ENV, "STORAGE_ENDPOINT_URL": endpoint}
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id="portfolio", aws_secret_access_key="not-a-real-secret")
    client.create_bucket(Bucket=env["STORAGE_BUCKET"])
    settings.STORAGES = {**settings.STORAGES, "photos": photo_storage(env)}
    yield client
    for key in objects(client):
        client.delete_object(Bucket=env["STORAGE_BUCKET"], Key=key)
    client.delete_bucket(Bucket=env["STORAGE_BUCKET"])


def objects(client) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=ENV["STORAGE_BUCKET"]).get("Contents", []))


def test_upload_read_and_delete_through_an_s3_bucket(
    bucket, official_client, admin_client, project_a, django_capture_on_commit_callbacks,
):
    assert photo_storage(ENV)["BACKEND"] == "storages.backends.s3.S3Storage"
    content = images.jpeg(datetime(2023, 5, 2, 10, 0), images.ERQI_SQUARE, size=(1600, 1200))
    response = official_client.post(f"/api/v1/projects/{project_a.pk}/photos/", {
        "file": SimpleUploadedFile("site.jpg", content, content_type="image/jpeg"), "caption": "主体封顶",
    }, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    photo = Photo.objects.get(pk=body["id"])
    assert objects(bucket) == sorted([f"photos/{photo.file}", f"photos/{photo.thumbnail}"])
    stored = bucket.get_object(Bucket=ENV["STORAGE_BUCKET"], Key=f"photos/{photo.file}")
    assert stored["Body"].read() == content
    # Private: the bucket hands nothing to anyone without the keys.
    grants = bucket.get_object_acl(Bucket=ENV["STORAGE_BUCKET"], Key=f"photos/{photo.file}")["Grants"]
    assert all("AllUsers" not in str(grant["Grantee"]) for grant in grants)

    served = official_client.get(body["url"])
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == content
    assert (served["Content-Type"], served["X-Content-Type-Options"]) == ("image/jpeg", "nosniff")
    thumbnail = official_client.get(body["thumbnail_url"])
    assert Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))).size == (480, 360)

    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.delete(f"/api/v1/projects/{project_a.pk}/photos/{photo.pk}/").status_code == 204
    assert objects(bucket) == []
    assert official_client.get(body["url"]).status_code == 404


def test_a_bad_file_reaches_no_bucket(bucket, official_client, project_a):
    response = official_client.post(f"/api/v1/projects/{project_a.pk}/photos/", {
        "file": SimpleUploadedFile("site.jpg", images.HTML, content_type="image/jpeg"),
    }, format="multipart")
    assert response.status_code == 400
    assert objects(bucket) == []
