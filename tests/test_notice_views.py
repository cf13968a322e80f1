"""The supervision notice pages: the printable 督办单, the department's reply, and the
register (台账) with its CSV/XLSX export."""

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import in_english
from tests.factories import ObligationFactory
from tests.pages import parse, text
from tracker.models import Obligation, ProgressUpdate, SupervisionNotice
from tracker.services.supervision import obligation_set_supervision

Level = Obligation.SupervisionLevel
YEAR = timezone.localdate().year


def escalate(obligation, user, level=Level.RED, note="逾期两个月未启动"):
    return obligation_set_supervision(
        obligation=Obligation.objects.get(pk=obligation.pk),
        user=user,
        level=level,
        note=note,
    ).new_notice


@pytest.fixture
def notice(obligation, supervisor):
    return escalate(obligation, supervisor)


def test_escalating_on_the_obligation_page_names_the_new_notice(sv_client, obligation):
    response = sv_client.post(
        reverse("tracker:obligation_supervision", args=[obligation.pk]),
        {"level": Level.RED, "note": "逾期未办", "version": obligation.version},
        follow=True,
    )

    code = f"测法督〔{YEAR}〕1号"
    page = response.content.decode()
    assert f"Supervision notice {code} issued." in page
    notice = SupervisionNotice.objects.get()
    links = parse(page).xpath("//a[@href=$url]", url=notice.get_absolute_url())
    assert code in [text(link) for link in links]


def test_printable_notice_shows_the_official_layout(client, notice, staff_b):
    client.force_login(staff_b)

    response = client.get(notice.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "督办单" in page
    assert notice.code in page
    assert "县司法局" in page
    assert f"{notice.obligation.code} {notice.obligation.title}" in page
    assert "逾期两个月未启动" in page
    assert "王督查" in page
    due = notice.reply_due
    assert f"{due.year}年{due.month}月{due.day}日" in page
    assert "tracker/notice.css" in page
    # Served by the app: no stylesheet, font or script from another host.
    assert not re.search(r'(href|src)="(https?:)?//', page)


def test_notice_stylesheet_prints_on_a4(client):
    from django.contrib.staticfiles import finders

    css = open(finders.find("tracker/notice.css"), encoding="utf-8").read()
    assert "@page { size: A4" in css
    assert "url(" not in css  # no web fonts


def test_department_member_replies_from_the_obligation_page(client, notice, staff_a):
    client.force_login(staff_a)
    page = in_english(client).get(notice.obligation.get_absolute_url()).content.decode()
    assert "Reply to this notice" in page

    response = in_english(client).post(
        reverse("tracker:notice_reply", args=[notice.pk]),
        {"text": "已制定整改方案，12月底前完成。"},
        follow=True,
    )

    page = response.content.decode()
    assert f"Reply to supervision notice {notice.code} recorded." in page
    assert "已制定整改方案" in page
    notice.refresh_from_db()
    assert notice.replied_by == staff_a
    assert notice.obligation.updates.filter(
        action=ProgressUpdate.Action.NOTICE_REPLY, author=staff_a
    ).exists()


def test_reply_to_a_notice_of_another_department_is_403_with_the_reason(
    client, notice, staff_b
):
    client.force_login(staff_b)

    response = in_english(client).post(
        reverse("tracker:notice_reply", args=[notice.pk]), {"text": "代为反馈"}
    )

    assert response.status_code == 403
    assert (
        "Only a member of the obligation&#x27;s responsible department can reply to "
        f"supervision notice {notice.code}." in response.content.decode()
    )
    notice.refresh_from_db()
    assert not notice.is_replied


def test_empty_reply_is_400_and_saves_nothing(client, notice, staff_a):
    client.force_login(staff_a)

    response = in_english(client).post(
        reverse("tracker:notice_reply", args=[notice.pk]), {"text": " "}
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    notice.refresh_from_db()
    assert not notice.is_replied


def test_reply_to_an_unknown_notice_is_404(client, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("tracker:notice_reply", args=[999]), {"text": "x"})
    assert response.status_code == 404


@pytest.fixture
def three_notices(department_a, supervisor):
    obligations = [
        ObligationFactory(department=department_a, title=title)
        for title in ("规范执法", "=HYPERLINK(1)", "政务公开")
    ]
    return [escalate(o, supervisor, Level.YELLOW) for o in obligations]


def test_register_lists_every_notice_newest_first(sv_client, three_notices):
    response = sv_client.get(reverse("tracker:notice_register"))

    page = response.content.decode()
    assert "3 notices" in page
    codes = [notice.code for notice in reversed(three_notices)]
    positions = [page.index(code) for code in codes]
    assert positions == sorted(positions)
    assert "Awaiting reply" in page


def test_register_query_count_does_not_grow_with_notices(
    sv_client, department_a, supervisor, django_assert_max_num_queries
):
    for _ in range(3):
        escalate(ObligationFactory(department=department_a), supervisor)
    url = reverse("tracker:notice_register")
    sv_client.get(url)  # session and language caches warm
    with django_assert_max_num_queries(12) as few:
        sv_client.get(url)
    for _ in range(20):
        escalate(ObligationFactory(department=department_a), supervisor)
    with django_assert_max_num_queries(len(few.captured_queries)):
        sv_client.get(url)


def test_register_exports_csv_with_bom_and_neutralised_cells(sv_client, three_notices):
    response = sv_client.get(reverse("tracker:notice_register") + "?_export=csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Notice number", "Supervision level", "Code", "Title"]
    assert {row[0] for row in rows[1:]} == {n.code for n in three_notices}
    assert "'=HYPERLINK(1)" in {row[3] for row in rows[1:]}


def test_register_exports_xlsx(sv_client, three_notices):
    response = sv_client.get(reverse("tracker:notice_register") + "?_export=xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert sheet.title == "Supervision notices"
    assert len(rows) == 4
    assert {row[1] for row in rows[1:]} == {"Yellow supervision"}


def test_staff_cannot_open_the_register(client, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("tracker:notice_register")).status_code == 403
    export = client.get(reverse("tracker:notice_register") + "?_export=csv")
    assert export.status_code == 403


def test_register_link_in_the_navigation_for_supervisors_only(
    client, sv_client, staff_a
):
    url = reverse("tracker:notice_register")
    assert f'href="{url}"' in sv_client.get("/").content.decode()
    client.force_login(staff_a)
    assert f'href="{url}"' not in in_english(client).get("/").content.decode()


def test_without_settings_the_notice_names_the_default_office_and_blank_lines(
    client, notice, staff_b, settings
):
    settings.NOTICE_ISSUING_OFFICE = settings.NOTICE_CONTACT = ""
    settings.NOTICE_PHONE = settings.NOTICE_CC = ""
    client.force_login(staff_b)

    page = parse(client.get(notice.get_absolute_url()))

    def shown(name):
        return text(page.xpath(f"//*[contains(@class, '{name}')]")[0])

    organization = notice.obligation.report.organization
    assert shown("notice-issuer") == f"{organization}法治督查室"
    assert shown("notice-contact") == "联系人： 电话："
    assert shown("notice-record") == "抄送："
    assert len(page.xpath("//span[@class='notice-fill'][not(text())]")) == 3
