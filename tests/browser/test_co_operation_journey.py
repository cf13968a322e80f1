"""Journey: an item led by 县司法局 with a township co-operating (双交办), from the
supervisor's assignment to approval. The township acknowledges (签收) and submits
its part, the lead unit cannot submit while the part is open, accepts the part,
submits, and the supervisor approves; then a sign-off (单位审核) by the head."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, minimal_pdf
from tests.factories import DepartmentFactory, ObligationFactory, UserFactory
from tests.workflow_helpers import upload
from tracker.models import Obligation, Part

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def township(db):
    return DepartmentFactory(name="城关镇", kind="township")


@pytest.fixture
def town1(township):
    user = UserFactory(username="town1", first_name="周乡镇", groups=["staff"])
    township.members.add(user)
    return user


@pytest.fixture
def work(department_a, staff_a):
    item = ObligationFactory(
        department=department_a,
        code="2.1",
        title="推进基层法治建设",
        status=Obligation.Status.IN_PROGRESS,
    )
    upload(item, staff_a)
    return item


def test_co_operated_item_from_assignment_to_approval(
    new_page, supervisor, staff_a, town1, township, work, live_server
):
    # The supervisor names the township as a co-operating unit.
    page = new_page()
    log_in(page, "supervisor")
    page.goto(work.get_absolute_url())
    page.get_by_text("Add a co-operating unit").click()
    page.locator("#parts form").last.get_by_label("Co-operating unit").select_option(
        label="城关镇"
    )
    page.get_by_role("button", name="Add the unit").click()
    expect(page.locator(".messages")).to_contain_text("城关镇")
    part = Part.objects.get()
    card = page.locator(f"#part-{part.pk}")
    expect(card).to_contain_text("Not acknowledged")

    # The township acknowledges from /my/ and submits its part on the item.
    town = new_page()
    log_in(town, "town1")
    town.get_by_role("link", name="My work").click()
    row = town.locator(f"tr[data-part='{part.pk}']")
    expect(row).to_contain_text(work.title)
    row.get_by_role("button", name=f"Acknowledge the part of {work.code}").click()
    expect(town.locator(".messages")).to_contain_text("In progress")
    town.goto(work.get_absolute_url())
    town_card = town.locator(f"#part-{part.pk}")
    town_card.get_by_label("Note or reason").fill("已完成辖区排查，附台账。")
    town_card.get_by_role("button", name="Submit to the lead unit").click()
    expect(town.locator(f"#part-{part.pk} h3")).to_contain_text(
        "Submitted to the lead unit"
    )

    # The lead unit: submitting is blocked until it accepts the part.
    lead = new_page()
    log_in(lead, "staff_a")
    lead.goto(work.get_absolute_url())
    expect(lead.get_by_role("button", name="Submit for review")).to_be_disabled()
    expect(lead.locator(".checklist")).to_contain_text("accepted or waived")
    lead.locator(f"#part-{part.pk}").get_by_role(
        "button", name="Accept the part"
    ).click()
    expect(lead.locator(f"#part-{part.pk} h3")).to_contain_text("Completed")
    lead.locator("#status textarea[name=note]").fill("牵头单位汇总完成。")
    lead.get_by_role("button", name="Submit for review").click()
    header = lead.locator("article.obligation > header")
    expect(header.locator(".status-submitted")).to_have_text("Awaiting review")

    # The supervisor approves.
    page.goto(work.get_absolute_url())
    rating = page.get_by_role("group", name="Rating of the result (when approving)")
    rating.get_by_role("radio", name="Good", exact=True).check()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("article.obligation > header .status-done")).to_be_visible()
    work.refresh_from_db()
    assert work.status == Obligation.Status.DONE


def test_head_signs_off_a_submission_before_the_supervisors_see_it(
    new_page, department_a, staff_a, supervisor, live_server
):
    head = UserFactory(username="head1", first_name="钱局长", groups=["staff"])
    department_a.heads.add(head)
    department_a.signoff_required = True
    department_a.save()
    item = ObligationFactory(
        department=department_a,
        code="3.1",
        title="规范行政执法",
        status=Obligation.Status.IN_PROGRESS,
    )

    staff = new_page()
    log_in(staff, "staff_a")
    staff.goto(item.get_absolute_url())
    staff.set_input_files(
        "#evidence input[type=file]",
        files=[
            {
                "name": "评查报告.pdf",
                "mimeType": "application/pdf",
                "buffer": minimal_pdf(),
            }
        ],
    )
    staff.get_by_role("button", name="Upload file").click()
    expect(staff.locator("#evidence .evidence-table")).to_contain_text("评查报告.pdf")
    expect(staff.get_by_role("button", name="Submit for review")).to_have_count(0)
    staff.locator("#status textarea[name=note]").fill("已完成，请局长审核。")
    staff.get_by_role("button", name="Submit for the head's sign-off").click()
    expect(staff.locator("article.obligation > header")).to_contain_text(
        "Awaiting the head's sign-off"
    )

    head_page = new_page()
    log_in(head_page, "head1")
    head_page.get_by_role("link", name="My work").click()
    waiting = head_page.locator("#awaiting-signoff")
    expect(waiting).to_contain_text(item.title)
    waiting.get_by_role("link").first.click()
    head_page.get_by_role("button", name="Sign off and submit for review").click()
    expect(
        head_page.locator("article.obligation > header .status-submitted")
    ).to_have_text("Awaiting review")
    expect(head_page.locator("#timeline .timeline-entry").first).to_contain_text(
        "钱局长"
    )
    item.refresh_from_db()
    assert item.status == Obligation.Status.SUBMITTED
