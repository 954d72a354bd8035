"""Property-based fuzzing of every operation of the API's own OpenAPI schema (schemathesis).

Each operation is called in-process through the WSGI app, as the office (admin) and as a
department clerk, with data that fits the schema and data that breaks it. Every answer must
be below 500 and, where the schema documents the status code, match the documented body and
content type. `FUZZ_EXAMPLES` sets the examples per operation, role and mode (`make test`: a
few; `make fuzz`: many); `FUZZ_REPORT` names a file that gets one line per test with its counts.
"""

import os
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
import yaml
from django.conf import settings
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from projects import services
from projects.domain.choices import Role
from tests.factories import (
    ApprovalItemFactory,
    AssessmentFactory,
    MilestoneFactory,
    ProblemFactory,
    StatusUpdateFactory,
    UserFactory,
    UserProfileFactory,
    VisitFactory,
    move_problem,
)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
REPORT = os.environ.get("FUZZ_REPORT")
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
METHODS = {"get", "post", "put", "patch", "delete"}
# The committed schema, which test_schema.py proves is the one the app serves.
SCHEMA = yaml.safe_load((Path(settings.BASE_DIR) / "docs" / "openapi.yaml").read_text("utf-8"))
OPERATIONS = [(method.upper(), path) for path, item in SCHEMA["paths"].items() for method in item if method in METHODS]
# Body fields that name a row: half of the cases get a real one, so writes reach the services.
REFERENCES = ("project", "department", "official", "lead_official", "responsible_department",
              "coordinating_official")


@pytest.fixture(scope="module")
def api_schema():
    schema = schemathesis.openapi.from_dict(SCHEMA)
    schema.app = get_wsgi_application()
    return schema


@pytest.fixture
def in_test_transaction(db):
    """Requests share the test's connection and transaction, as with Django's own test client."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(project_a, project_b, dept_a, official_a):
    """Rows of every kind in two departments, and a token for the office and for A's clerk (written in
    one transaction: each object's event is rendered once)."""
    with transaction.atomic():
        return _world(project_a, project_b, dept_a, official_a)


def _world(project_a, project_b, dept_a, official_a) -> dict:
    rows = {
        "projects": project_a.pk,
        "milestones": MilestoneFactory(project=project_a).pk,
        "visits": VisitFactory(project=project_a).pk,
        "approvals": ApprovalItemFactory(project=project_a, department=dept_a).pk,
        "status-updates": StatusUpdateFactory(project=project_a).pk,
        "departments": dept_a.pk,
        "officials": official_a.pk,
        # Assigned to A's department, coordinated by A's official: every move has someone to make it.
        "problems": move_problem(ProblemFactory(project=project_b, responsible_department=dept_a,
                                                coordinating_official=official_a), ("assigned", "2023-04-02")).pk,
    }
    MilestoneFactory(project=project_b)
    AssessmentFactory(project=project_a)
    admin = UserProfileFactory(user=UserFactory(username="fuzz_admin", is_staff=True), role=Role.ADMIN).user
    clerk = UserProfileFactory(user=UserFactory(username="fuzz_clerk"), role=Role.DEPARTMENT, department=dept_a).user
    tokens = {"admin": services.token_issue(user=admin), "department": services.token_issue(user=clerk)}
    references = {"project": project_a.pk, "department": dept_a.pk, "official": official_a.pk,
                  "lead_official": official_a.pk, "responsible_department": dept_a.pk,
                  "coordinating_official": official_a.pk}
    return {"rows": rows, "tokens": tokens, "references": references}


def _real_id(path: str, rows: dict) -> int | None:
    resource = path.removeprefix("/api/v1/").split("/")[0]
    return rows.get(resource)


@pytest.mark.parametrize("role", ["admin", "department"])
@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_server_error_and_every_answer_matches_the_schema(api_schema, in_test_transaction, world, role, method,
                                                             path):
    operation = api_schema[path][method]
    real_id = _real_id(path, world["rows"])
    strategies = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(generation_mode=mode))
        if "{id}" in path and real_id is not None:
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters={"id": real_id}))
    headers = {"Authorization": f"Token {world['tokens'][role]}"}
    statuses = Counter()

    @hypothesis_settings(
        max_examples=EXAMPLES * len(strategies), deadline=None, database=None,
        derandomize=not os.environ.get("FUZZ_RANDOM"), suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies), real_references=st.booleans())
    def run(case, real_references):
        if real_references and isinstance(case.body, dict):
            for field in REFERENCES:
                if field in case.body:
                    case.body[field] = world["references"][field]
        cache.clear()  # throttle counters: the fuzzer sends far more than a person would
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        run()
    finally:
        if REPORT:
            with open(REPORT, "a", encoding="utf-8") as report:
                codes = " ".join(f"{code}:{count}" for code, count in sorted(statuses.items()))
                report.write(f"{role}\t{method} {path}\t{sum(statuses.values())}\t{codes}\n")
    assert sum(statuses.values()) > 0
