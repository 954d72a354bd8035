from projects.models import Project


def test_project_list_needs_auth(anon_client, project_a):
    assert anon_client.get("/api/v1/projects/").status_code == 401


def test_project_detail_flags_as_of(reader_client, project_a, as_of):
    response = reader_client.get(f"/api/v1/projects/{project_a.pk}/", {"as_of": as_of.isoformat()})
    assert response.status_code == 200
    assert response.json()["code"] == project_a.code
    assert response["ETag"] == f'"{project_a.pk}-1"'
    assert Project.objects.count() == 1
