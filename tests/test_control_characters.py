"""Control characters never reach storage: they are stripped where text enters
(the report importer, the admin's forms, the app's forms), through one function,
``tracker.text.clean_text``.

Why it matters: a title ``\\x01=HYPERLINK(…)`` turns into a live formula once an
export drops the ``\\x01``; a right-to-left override makes a title read differently
from what is stored."""

import io

import pytest
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

import tracker.forms
from tests.workflow_helpers import set_status, upload
from tracker.importing import parse_report
from tracker.models import Department, Obligation, ProgressUpdate, Report
from tracker.text import CleanCharField, clean_text

S = Obligation.Status

# C0 but tab, LF and CR; DEL; C1; bidirectional formatting characters.
CONTROLS = [
    *(chr(code) for code in range(0x20) if chr(code) not in "\t\n\r"),
    "\x7f",
    *(chr(code) for code in range(0x80, 0xA0)),
    "\u061c",
    "\u200e",
    "\u200f",
    *(chr(code) for code in range(0x202A, 0x202F)),
    *(chr(code) for code in range(0x2066, 0x206A)),
]
LINE_BREAKS = "\t\n\r"
FORBIDDEN_MULTI_LINE = set(CONTROLS)
FORBIDDEN_SINGLE_LINE = FORBIDDEN_MULTI_LINE | set(LINE_BREAKS)
FORMULA_STARTS = "=+-@"
SEED = settings.BASE_DIR / "fixtures" / "source" / "wuxi-2022-rule-of-law-report.txt"


def has_any(text, characters):
    return any(ch in characters for ch in text)


def hostile(control, start="="):
    return f'{control}{start}HYPERLINK("http://127.0.0.1/x","click")'


# --- The one function -------------------------------------------------------------


@pytest.mark.parametrize("control", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_control_character_before_a_formula_is_stripped(control, start):
    # Line breaks (form feed, NEL …) become a space or a line feed, which the
    # fields then strip like any surrounding whitespace.
    for multiline in (False, True):
        cleaned = clean_text(hostile(control, start), multiline=multiline)
        assert cleaned.strip() == hostile("", start)
        assert CleanCharField().clean(hostile(control, start)) == hostile("", start)


def test_single_line_text_gets_a_space_for_line_breaks_and_tabs():
    assert clean_text("县\r\n司法局\t办公室\u2028二") == "县 司法局 办公室 二"


def test_multi_line_text_keeps_tabs_and_line_breaks():
    assert clean_text("第一段\r\n\t第二段\f第三段", multiline=True) == (
        "第一段\r\n\t第二段\n第三段"
    )


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_cleaned_text_has_no_control_characters_and_cleaning_again_changes_nothing(
    text,
):
    single, multi = clean_text(text), clean_text(text, multiline=True)
    assert not has_any(single, FORBIDDEN_SINGLE_LINE)
    assert not has_any(multi, FORBIDDEN_MULTI_LINE)
    assert clean_text(single) == single
    assert clean_text(multi, multiline=True) == multi


# --- The report importer ------------------------------------------------------------


def report_with_controls():
    """The seed report with a control character before a formula in the title
    line, in a chapter heading, and at the start of every numbered item."""
    text = SEED.read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[0] = "\x01" + lines[0] + "\u202e"
    hostile_lines = []
    for number, line in enumerate(lines):
        control = CONTROLS[number % len(CONTROLS)]
        if "是" in line[:4] or line[:1].isdigit():
            line = line.replace("是", f"是{control}=", 1)
        hostile_lines.append(line.replace("。", f"{control}。", 1))
    return "\n".join(hostile_lines)


def assert_nothing_stored_has_controls():
    report = Report.objects.get()
    assert not has_any(report.source_text, FORBIDDEN_MULTI_LINE)
    for value in (report.title, report.organization):
        assert not has_any(value, FORBIDDEN_SINGLE_LINE)
    for section in report.sections.all():
        assert not has_any(section.title, FORBIDDEN_SINGLE_LINE)
    for obligation in Obligation.objects.all():
        assert not has_any(obligation.title, FORBIDDEN_SINGLE_LINE)
        assert not has_any(obligation.body, FORBIDDEN_MULTI_LINE)
    return report


def test_the_importer_strips_control_characters_and_keeps_the_structure():
    clean = parse_report(SEED.read_text(encoding="utf-8"))
    tree = parse_report(report_with_controls())

    assert not has_any(tree.source_text, FORBIDDEN_MULTI_LINE)
    assert [o.code for _s, o in tree.obligations()] == [
        o.code for _s, o in clean.obligations()
    ]
    assert (tree.organization, tree.year) == (clean.organization, clean.year)
    for _section, obligation in tree.obligations():
        body = tree.source_text[obligation.source_start : obligation.source_end]
        assert body == obligation.body


def test_the_admin_import_page_stores_no_control_characters(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/tracker/report/import/",
        {
            "file": SimpleUploadedFile("report.txt", report_with_controls().encode()),
            "organization": "\x1b巫溪县\x7f",
            "import": "1",
        },
    )

    assert response.status_code == 302
    report = assert_nothing_stored_has_controls()
    assert report.organization == "巫溪县"


def test_the_import_command_stores_no_control_characters(db, tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(report_with_controls(), encoding="utf-8")

    call_command(
        "import_report",
        str(path),
        "--organization",
        "\u202e巫溪县\n",
        stdout=io.StringIO(),
    )

    report = assert_nothing_stored_has_controls()
    assert report.organization == "巫溪县"


# --- The admin ------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_department_name_typed_in_the_admin_is_stored_without_controls(
    admin_client, start
):
    response = admin_client.post(
        "/admin/tracker/department/add/",
        {
            "name": "".join(CONTROLS) + f"{start}cmd\r\n",
            "short_name": "\x01\t简称",
            "kind": "department",
        },
    )

    assert response.status_code == 302
    department = Department.objects.get()
    assert (department.name, department.short_name) == (f"{start}cmd", "简称")


def test_a_user_name_typed_in_the_admin_is_stored_without_controls(
    admin_client, staff_a
):
    response = admin_client.post(
        f"/admin/auth/user/{staff_a.pk}/change/",
        {
            "username": staff_a.username,
            "first_name": "\x01=HYPERLINK(1)\u202e",
            "last_name": "\x85-2+3\x9f",
            "email": "",
            "is_active": "on",
            "date_joined_0": "2024-01-01",
            "date_joined_1": "08:00:00",
            # The account profile's inline (the mobile number), left empty.
            "account_profile-TOTAL_FORMS": "1",
            "account_profile-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert (staff_a.first_name, staff_a.last_name) == ("=HYPERLINK(1)", "-2+3")


def test_a_user_name_with_control_characters_is_refused_in_the_admin(
    admin_client, staff_a
):
    # The login name is refused rather than cleaned: Django's validator allows
    # letters, digits and @.+-_ only, and a login must be typed exactly.
    response = admin_client.post(
        f"/admin/auth/user/{staff_a.pk}/change/",
        {"username": "\x01=staff", "date_joined_0": "2024-01-01"},
    )

    assert response.status_code == 200
    staff_a.refresh_from_db()
    assert staff_a.username == "staff_a"


def admin_form(model, obj, request):
    model_admin = admin.site._registry[model]
    return model_admin.get_form(request, obj, change=obj is not None)


def test_an_obligation_title_typed_in_the_admin_is_cleaned(obligation, admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    form_class = admin_form(Obligation, obligation, request)
    unbound = form_class(instance=obligation)
    data = {
        name: unbound[name].value()
        for name in unbound.fields
        if unbound[name].value() is not None
    }
    data.update(title=hostile("\x01"), body="\x02第一段\r\n\x0b第二段")

    form = form_class(data, instance=obligation)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == hostile("")
    assert form.cleaned_data["body"] == "第一段\r\n\n第二段"


def text_fields_not_cleaned(form_class):
    return [
        name
        for name, field in form_class.base_fields.items()
        if type(field) is forms.CharField
        and not isinstance(field.widget, forms.PasswordInput)
    ]


def test_every_text_field_of_every_admin_form_strips_control_characters(
    admin_user, obligation
):
    """A new admin, inline or field without the cleaning fails here."""
    request = RequestFactory().get("/")
    request.user = admin_user
    apps = {"tracker", "auth"}
    unclean = {}
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in apps:
            continue
        obj = model.objects.first()
        form_classes = [model_admin.get_form(request, None)]
        if obj is not None:
            form_classes.append(model_admin.get_form(request, obj, change=True))
            form_classes += [
                inline.get_formset(request, obj).form
                for inline in model_admin.get_inline_instances(request, obj)
            ]
        for form_class in form_classes:
            if fields := text_fields_not_cleaned(form_class):
                unclean[f"{model.__name__} {form_class.__name__}"] = fields
    assert unclean == {}


def test_every_text_field_of_the_apps_forms_strips_control_characters():
    form_classes = [
        value
        for value in vars(tracker.forms).values()
        if isinstance(value, type) and issubclass(value, forms.BaseForm)
    ]
    assert form_classes
    unclean = {
        form_class.__name__: fields
        for form_class in form_classes
        if (fields := text_fields_not_cleaned(form_class))
    }
    assert unclean == {}


def test_a_clean_char_field_counts_the_length_that_will_be_stored():
    field = CleanCharField(max_length=3)
    assert field.clean("\x01\x02\x03abc") == "abc"
    with pytest.raises(forms.ValidationError):
        CleanCharField().clean("\x01\x02")  # nothing left: required


# --- The app's forms ---------------------------------------------------------------

ALL_CONTROLS = "".join(CONTROLS)


@pytest.fixture
def staff_client(client, staff_a):
    client.force_login(staff_a)
    return client


def test_a_progress_note_is_stored_without_controls(staff_client, obligation):
    response = staff_client.post(
        f"/obligations/{obligation.pk}/notes/",
        {"text": f"{ALL_CONTROLS}=1+1\r\n第二行{ALL_CONTROLS}"},
    )

    assert response.status_code == 302
    assert ProgressUpdate.objects.get().text == "=1+1\r\n第二行"


def test_a_status_note_is_stored_without_controls(staff_client, obligation, staff_a):
    upload(obligation, staff_a)
    set_status(obligation, S.IN_PROGRESS)

    response = staff_client.post(
        f"/obligations/{obligation.pk}/status/",
        {
            "status": S.SUBMITTED,
            "note": f"{ALL_CONTROLS}@SUM(A1)",
            "version": obligation.version,
        },
    )

    assert response.status_code == 302
    update = ProgressUpdate.objects.get(action=ProgressUpdate.Action.STATUS)
    assert update.text == "@SUM(A1)"


def test_an_evidence_note_and_a_withdrawal_reason_are_stored_without_controls(
    staff_client, obligation
):
    response = staff_client.post(
        f"/obligations/{obligation.pk}/evidence/",
        {
            "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n"),
            "note": f"{ALL_CONTROLS}+cmd",
        },
    )
    assert response.status_code == 302
    evidence = obligation.evidence.get()
    assert evidence.note == "+cmd"

    response = staff_client.post(
        f"/evidence/{evidence.pk}/withdraw/", {"reason": f"\x00-cmd{ALL_CONTROLS}"}
    )
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.withdraw_reason == "-cmd"


def test_a_supervision_reason_is_stored_without_controls(
    client, supervisor, obligation
):
    client.force_login(supervisor)
    response = client.post(
        f"/obligations/{obligation.pk}/supervision/",
        {"level": "red", "note": f"{ALL_CONTROLS}=cmd", "version": obligation.version},
    )

    assert response.status_code == 302
    assert ProgressUpdate.objects.get().text.endswith("\n=cmd")


def test_a_note_of_only_control_characters_counts_as_empty(staff_client, obligation):
    response = staff_client.post(
        f"/obligations/{obligation.pk}/notes/", {"text": ALL_CONTROLS}
    )

    assert response.status_code == 400
    assert not ProgressUpdate.objects.exists()


def test_user_model_is_the_one_the_admin_cleans():
    # The guard above walks the registry; make sure auth's user is in it.
    assert get_user_model() in admin.site._registry
