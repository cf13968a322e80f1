"""The admin reads the supervision records written on their pages: chases (催办),
leaders' instructions (批示) and a city's supervision of a county; it never adds,
changes or deletes one."""

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, ObligationFactory, ReportFactory
from tests.pages import parse
from tracker.models import Chase, Instruction, Organization, OrganizationSupervision
from tracker.services.chases import obligation_chase
from tracker.services.instructions import instruction_write
from tracker.services.organization_supervision import organization_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(obligation, supervisor, leader):
    chase = obligation_chase(
        obligation=obligation, user=supervisor, note="请本周报送进展"
    )
    instruction = instruction_write(
        obligation=obligation, user=leader, text="请司法局加快推进并书面报告"
    )
    city = Organization.objects.add_root(
        {"name": "重庆市", "kind": "city", "notice_prefix": "渝法督"}
    )
    county = Organization.objects.add_child(
        city, {"name": "巫山县", "kind": Organization.Kind.COUNTY}
    )
    report = ReportFactory(organization="巫山县", organization_unit=county)
    ObligationFactory(report=report, department=DepartmentFactory(organization=county))
    notice = organization_notice(
        organization=county,
        user=supervisor,
        level="yellow",
        note="多项任务逾期未办结",
        year=None,
    )
    return {Chase: chase, Instruction: instruction, OrganizationSupervision: notice}


def _url(model, view, *args):
    return reverse(f"admin:tracker_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(
    ("model", "search", "text"),
    [
        (Chase, "报送进展", "请本周报送进展"),
        (Instruction, "加快推进", "请司法局加快推进并书面报告"),
        (OrganizationSupervision, "逾期", "多项任务逾期未办结"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_the_admin_finds_and_reads_each_record_and_cannot_change_it(
    tracker_admin_client, records, model, search, text
):
    record = records[model]

    found = tracker_admin_client.get(_url(model, "changelist"), {"q": search})
    page = tracker_admin_client.get(_url(model, "change", record.pk))

    assert found.status_code == 200
    assert len(parse(found).xpath("//table[@id='result_list']/tbody/tr")) == 1
    assert page.status_code == 200
    assert text in page.content.decode()
    # Read-only: no field to edit, no add, no delete, and a POST changes nothing.
    assert not parse(page).xpath("//textarea")
    assert tracker_admin_client.get(_url(model, "add")).status_code == 403
    assert tracker_admin_client.get(_url(model, "delete", record.pk)).status_code == 403
    changed = tracker_admin_client.post(
        _url(model, "change", record.pk), {"note": "改掉", "text": "改掉"}
    )
    assert changed.status_code == 403
    reread = tracker_admin_client.get(_url(model, "change", record.pk)).content
    assert text in reread.decode() and "改掉" not in reread.decode()
    assert (
        tracker_admin_client.get(_url(model, "history", record.pk)).status_code == 200
    )
