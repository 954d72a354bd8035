"""我的待办 in the admin: clerks and officials land on it; each line links to the form that does it."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from projects.domain.choices import Role
from tests.factories import MilestoneFactory, ProjectFactory, UserFactory, UserProfileFactory

PASSWORD = "Erqi-todo-2023"


def signed_in(username, role, **profile) -> tuple[Client, object]:
    user = UserFactory(username=username)
    user.set_password(PASSWORD)
    user.save()
    UserProfileFactory(user=user, role=role, **profile)
    client = Client()
    response = client.post(reverse("admin:login"), {"username": username, "password": PASSWORD,
                                                    "next": reverse("admin:index")})
    assert response.status_code == 302
    return client, response


@pytest.mark.django_db
def test_a_clerk_lands_on_its_todo_with_links_to_the_forms(dept_a, official_a):
    project = ProjectFactory(code="EQ-A1", name="仲景医药健康产业园", department=dept_a, lead_official=official_a)
    milestone = MilestoneFactory(project=project, title="签约", due_date=date(2023, 4, 30))
    client, response = signed_in("gxj_clerk", Role.DEPARTMENT, department=dept_a)
    assert response["Location"] == reverse("admin:todo")

    page = client.get(reverse("admin:todo"), {"as_of": "2023-05-04"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "我的待办" in html and "本周待填报进度" in html and "临期及逾期节点" in html
    assert f'href="/admin/projects/statusupdate/add/?project={project.pk}"' in html
    assert f'href="/admin/projects/milestone/{milestone.pk}/change/"' in html
    assert "逾期 4 天" in html and "5月5日" in html


@pytest.mark.django_db
def test_the_office_and_readers_keep_the_dashboard(db):
    for username, role in (("office", Role.ADMIN), ("leader", Role.READER)):
        _, response = signed_in(username, role)
        assert response["Location"] == reverse("admin:index")


@pytest.mark.django_db
def test_an_official_sees_its_visits_due(official_a, dept_a):
    project = ProjectFactory(code="EQ-A2", name="二七商业中心", department=dept_a, lead_official=official_a)
    client, response = signed_in("wang", Role.OFFICIAL, official=official_a)
    assert response["Location"] == reverse("admin:todo")
    html = client.get(reverse("admin:todo"), {"as_of": "2023-05-04"}).content.decode()
    assert "待调研项目" in html and "从未调研" in html
    assert f'href="/admin/projects/visit/add/?project={project.pk}"' in html
