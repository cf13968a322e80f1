"""``python manage.py setup_demo``: the demo data behind ``make run``.

``--city`` adds a city (重庆市) above the one-county demo's 巫溪县 and nine more
counties, each with its own report built from the seed's text, its departments,
a staff member and a supervisor, and its own progress (varied by the county's
place in the list, so every run gives the same figures); the city's supervisor is
``city``.

Idempotent and quick on a second run: the Wuxi 2022 report is loaded only into a
database without reports, accounts are created only when missing (passwords are never
reset), and the sample assignments are made only while no obligation has a
department yet. Every sample write goes through the services, so the timeline and
the history show who did it, as with real use.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tracker.importing import parse_report
from tracker.models import (
    AccountProfile,
    Department,
    LeaderLevel,
    Obligation,
    Organization,
    OrganizationSupervision,
    Part,
    Report,
    Schedule,
    SupervisionNotice,
)
from tracker.permissions import LEADER_GROUP, STAFF_GROUP, SUPERVISOR_GROUP
from tracker.services.chases import obligation_chase
from tracker.services.evidence import evidence_upload
from tracker.services.importing import report_import
from tracker.services.instructions import instruction_write
from tracker.services.organization_supervision import (
    organization_chase,
    organization_notice,
)
from tracker.services.parts import part_add
from tracker.services.schedules import progress_report_file, schedule_save
from tracker.services.supervision import notice_approve, obligation_set_supervision
from tracker.services.workflow import obligation_assign, obligation_transition

FIXTURE = "wuxi_2022.json"

# (name, short name): real-sounding county departments.
DEPARTMENTS = [
    ("县司法局", "司法局"),
    ("县政务服务管理办公室", "政务办"),
    ("县人民政府办公室", "政府办"),
    ("县综合行政执法局", "执法局"),
    ("县应急管理局", "应急局"),
    ("县人力资源和社会保障局", "人社局"),
    ("县信访局", "信访局"),
    # 属地: a township co-operating on county items (Department.Kind.TOWNSHIP).
    ("城关镇", "城关镇"),
]
TOWNSHIPS = {"城关镇"}

# (user name, password, first name, role, department). Demo only.
ACCOUNTS = [
    ("admin", "demo-admin-2023", "管理员", "admin", None),
    ("supervisor", "demo-supervisor-2023", "王督查", SUPERVISOR_GROUP, None),
    ("staff1", "demo-staff-2023", "张三", STAFF_GROUP, "县司法局"),
    ("staff2", "demo-staff-2023", "李四", STAFF_GROUP, "县政务服务管理办公室"),
    ("town1", "demo-staff-2023", "周乡镇", STAFF_GROUP, "城关镇"),
    # 县司法局's head (单位负责人): signs its submissions off (单位审核).
    ("head1", "demo-head-2023", "钱局长", STAFF_GROUP, "县司法局"),
    # A county leader (县领导) of the principal level: signs red 督办单, writes 批示.
    ("leader", "demo-leader-2023", "赵书记", LEADER_GROUP, None),
]
LEADER_LEVELS = {"leader": LeaderLevel.PRINCIPAL}
# Issue 23: (code, reason) raised to red and approved by the leader in the app, so
# a red 督办单 is issued in the leader's name; then the leader's 批示 on it.
RED_IN_LEADERS_NAME = [("1.1.2", "逾期未完成且催办后仍无进展，升级为红色督办。")]
INSTRUCTIONS = [("1.1.2", "请县司法局本周内拿出整改方案，月底前办结。")]
HEADS = {"head1": "县司法局"}
# Issue 22's organised work, on items 县司法局 leads: (code, co-operating unit) with
# a part not yet acknowledged; (code, user, file, note) submitted for the head's
# sign-off; (code, note) chased by the supervisor.
PARTS = [("1.2.2", "城关镇")]
FOR_SIGNOFF = [
    ("4.1", "staff1", "行政执法案卷评查报告.pdf", "案卷评查已完成，附报告。")
]
CHASED = [("1.1.2", "已超期，请于本周内报送进展。")]

# Wuxi 2022 obligation code -> (department, owner user name or None, due in N days).
# Due dates are relative to the day the demo is set up, so the dashboard always shows
# some overdue work, some due within two weeks and some due later.
ASSIGNMENTS = {
    "1.1.1": ("县司法局", "staff1", 30),
    "1.1.2": ("县司法局", None, -10),
    "1.2.1": ("县政务服务管理办公室", "staff2", 10),
    "1.2.2": ("县司法局", "staff1", -20),
    "1.3.1": ("县人民政府办公室", None, 60),
    "1.3.3": ("县综合行政执法局", None, 45),
    "1.4.1": ("县应急管理局", None, 5),
    "1.4.2": ("县司法局", "staff1", 20),
    "1.4.3": ("县信访局", None, 90),
    "1.5.1": ("县人民政府办公室", None, 75),
    "1.5.2": ("县政务服务管理办公室", "staff2", 12),
    "3.1": ("县综合行政执法局", None, 120),
    "3.3": ("县司法局", None, 150),
    "4.1": ("县司法局", "staff1", 180),
    "4.2": ("县政务服务管理办公室", "staff2", 180),
    "4.4": ("县人力资源和社会保障局", None, 180),
}
# Work under way, so the dashboard shows every status: (code, user name).
# The admin works for departments that have no demo account.
STARTED = [
    ("1.1.1", "staff1"),
    ("1.2.2", "staff1"),
    ("1.2.1", "staff2"),
    ("1.4.2", "staff1"),
    ("1.5.2", "staff2"),
    ("1.3.1", "admin"),
    ("1.4.1", "admin"),
]
# Submitted for review with an evidence file: (code, user name, file name, note).
SUBMITTED = [
    (
        "1.4.2",
        "staff1",
        "2023年人民调解工作台账.pdf",
        "已完成调解组织规范化建设，附台账。",
    ),
    ("1.5.2", "staff2", "互联网+督查平台运行报告.pdf", "平台已升级，附运行报告。"),
    ("1.2.1", "staff2", "政务服务事项清单.pdf", "清单已公布，附文件。"),
    ("1.1.1", "staff1", "理论中心组学习记录.pdf", "专题学习已完成，附学习记录。"),
    ("1.3.1", "admin", "重大行政决策目录.pdf", "决策目录已公布，附文件。"),
    ("1.4.1", "admin", "应急演练总结.pdf", "演练已开展，附总结。"),
]
# (code, supervisor's decision, note, rating, rating comment): approved (and rated,
# one of each rating, so that the ranking has something to rank) or returned.
Rating = Obligation.Rating
REVIEWED = [
    ("1.5.2", Obligation.Status.DONE, "材料齐全，同意办结。", Rating.GOOD, ""),
    (
        "1.3.1",
        Obligation.Status.DONE,
        "",
        Rating.EXCELLENT,
        "提前完成，目录完整并已向社会公布。",
    ),
    (
        "1.1.1",
        Obligation.Status.DONE,
        "同意办结。",
        Rating.FAIR,
        "学习记录偏少，缺少学习成效的材料。",
    ),
    (
        "1.4.1",
        Obligation.Status.DONE,
        "",
        Rating.POOR,
        "只有演练通知，没有演练照片和评估报告，今后请提供完整佐证。",
    ),
    ("1.2.1", Obligation.Status.RETURNED, "请补充“一件事一次办”套餐清单。", "", ""),
]
ESCALATED = [
    ("1.2.2", Obligation.SupervisionLevel.YELLOW, "完成时限已过，请加快推进。")
]
# A minimal valid PDF, so the demo's evidence downloads and opens.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


# --city: the city above the counties, its supervisor, and nine counties beside
# 巫溪县 (name, login prefix). Demo only.
CITY = "重庆市"
CITY_ACCOUNT = ("city", "demo-city-2023", "刘市督查")
COUNTIES = [
    ("巫山县", "wushan"),
    ("奉节县", "fengjie"),
    ("云阳县", "yunyang"),
    ("开州区", "kaizhou"),
    ("城口县", "chengkou"),
    ("万州区", "wanzhou"),
    ("忠县", "zhongxian"),
    ("石柱县", "shizhu"),
    ("秀山县", "xiushan"),
]
COUNTY_PASSWORD = "demo-county-2023"
SEED_COUNTY = "巫溪县"


class Command(BaseCommand):
    help = "Load the Wuxi 2022 report and create demo departments and accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--city",
            action="store_true",
            help="Also build a city with ten counties (巫溪县 first) and its "
            "supervisor `city`.",
        )

    def handle(self, *args, **options):
        self._load_report()
        with transaction.atomic():
            departments = self._departments()
            users = self._accounts(departments)
            self._sample_work(departments, users)
            self._organised_work(departments, users)
            self._leader_work(users)
        if options["city"]:
            self._city(departments, users)
        self._print_accounts(city=options["city"])

    # --- --city ------------------------------------------------------------------

    def _city(self, departments, users):
        seed = Report.objects.filter(organization=SEED_COUNTY).first()
        if seed is None:
            self.stdout.write("No 巫溪县 report to build the city from.")
            return
        with transaction.atomic():
            city = Organization.objects.filter(name=CITY).first()
            if city is None:
                city = Organization.objects.add_root(
                    {"name": CITY, "kind": Organization.Kind.CITY}
                )
            home = self._county_under(city, SEED_COUNTY)
            Report.objects.filter(organization=SEED_COUNTY).update(
                organization_unit=home
            )
            Department.objects.filter(
                pk__in=[d.pk for d in departments.values()], organization=None
            ).update(organization=home)
            for user in users.values():
                if not user.is_superuser:
                    self._belongs(user, home)
            username, password, first_name = CITY_ACCOUNT
            city_supervisor = self._person(
                username, password, first_name, SUPERVISOR_GROUP
            )
            self._belongs(city_supervisor, city)
        for place, (name, slug) in enumerate(COUNTIES, start=1):
            with transaction.atomic():
                self._county(city, name, slug, place, seed, users["admin"])
        self._city_supervision(city, city_supervisor)
        self.stdout.write(f"Built {CITY} with {len(COUNTIES) + 1} counties.")

    @transaction.atomic
    def _city_supervision(self, city, supervisor):
        """The city's own supervision, once: a yellow 督办单 to the county that has
        done least and a chase (催办) to the one before it, so /organizations/ and
        /organizations/supervision/ show both (answered by neither yet)."""
        if OrganizationSupervision.objects.filter(issuer=city).exists():
            return
        last, before_last = (
            Organization.objects.get(name=COUNTIES[-1][0]),
            Organization.objects.get(name=COUNTIES[-2][0]),
        )
        organization_notice(
            organization=last,
            user=supervisor,
            level=Obligation.SupervisionLevel.YELLOW,
            note="多项重点任务逾期未办结，请县政府督促相关单位限期整改并书面报告。",
        )
        organization_chase(
            organization=before_last,
            user=supervisor,
            note="请于本月底前报送法治政府建设重点任务推进情况。",
        )

    def _county_under(self, city, name):
        county = Organization.objects.filter(name=name).first()
        if county is None:
            return Organization.objects.add_child(
                city, {"name": name, "kind": Organization.Kind.COUNTY}
            )
        if county.is_root() and county.pk != city.pk:
            Organization.objects.move(county, city, "sorted-child")
            county.refresh_from_db()
        return county

    def _belongs(self, user, organization):
        AccountProfile.objects.update_or_create(
            user=user, defaults={"organization": organization}
        )

    def _person(self, username, password, first_name, role, department=None):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first_name,
                email=f"{username}@demo.invalid",
            )
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=role))
        if department is not None:
            department.members.add(user)
        return user

    def _county(self, city, name, slug, place, seed, admin):
        """One county: its report from the seed's text under its own name, the
        demo's departments, ``<slug>_staff`` in all of them, ``<slug>_supervisor``,
        and progress that grows with ``place``. Skipped once its report exists."""
        county = self._county_under(city, name)
        if Report.objects.filter(organization=name, year=seed.year).exists():
            return
        text = seed.source_text.replace(SEED_COUNTY, name)
        report = report_import(
            tree=parse_report(text, organization=name, year=seed.year),
            organization=name,
            year=seed.year,
        ).report
        units = [
            Department.objects.get_or_create(
                organization=county,
                name=unit,
                defaults={"short_name": short_name},
            )[0]
            for unit, short_name in DEPARTMENTS
            if unit not in TOWNSHIPS
        ]
        staff = self._person(
            f"{slug}_staff", COUNTY_PASSWORD, f"{name}经办", STAFF_GROUP
        )
        for unit in units:
            unit.members.add(staff)
        supervisor = self._person(
            f"{slug}_supervisor", COUNTY_PASSWORD, f"{name}督查", SUPERVISOR_GROUP
        )
        self._belongs(staff, county)
        self._belongs(supervisor, county)
        today = timezone.localdate()
        items = list(
            report.obligations.exclude(kind=Obligation.Kind.PROBLEM).order_by(
                "position"
            )
        )
        # Deterministic progress: more finished the further down the list, some
        # overdue in every county, one red notice in every third.
        finished = min(len(items), 2 + place)
        for index, item in enumerate(items):
            item = obligation_assign(
                obligation=item,
                user=admin,
                department=units[index % len(units)],
                due_date=today + datetime.timedelta(days=(index % 7 - 2) * 15),
                past_allowed=True,
                note="演示数据：初始分工",
            )
            if index >= finished + 3:
                continue
            item = obligation_transition(
                obligation=item, user=staff, to_status=Obligation.Status.IN_PROGRESS
            )
            if index >= finished:
                continue
            evidence_upload(
                obligation=item,
                user=staff,
                file=SimpleUploadedFile("工作台账.pdf", DEMO_PDF),
                note="演示数据",
            )
            item = obligation_transition(
                obligation=item,
                user=staff,
                to_status=Obligation.Status.SUBMITTED,
                note="已完成，附台账。",
            )
            obligation_transition(
                obligation=item,
                user=supervisor,
                to_status=Obligation.Status.DONE,
                rating=Obligation.Rating.GOOD,
            )
        if place % 3 == 0 and len(items) > finished + 4:
            obligation_set_supervision(
                obligation=items[finished + 4],
                user=supervisor,
                level=Obligation.SupervisionLevel.RED,
                note="演示数据：逾期未办",
            )

    def _load_report(self):
        if Report.objects.exists():
            return
        fixture = Path(settings.BASE_DIR) / "fixtures" / FIXTURE
        if not fixture.exists():
            self.stdout.write(f"{fixture} does not exist yet; no report loaded.")
            return
        call_command("loaddata", str(fixture), verbosity=0)
        self.stdout.write(f"Loaded {FIXTURE}.")

    def _departments(self):
        departments = {}
        for name, short_name in DEPARTMENTS:
            kind = (
                Department.Kind.TOWNSHIP
                if name in TOWNSHIPS
                else Department.Kind.DEPARTMENT
            )
            # After --city every county has a unit of this name: the demo's own
            # are 巫溪县's (or nobody's, before --city ever ran).
            departments[name] = (
                Department.objects.filter(
                    Q(organization=None) | Q(organization__name=SEED_COUNTY),
                    name=name,
                )
                .order_by("pk")
                .first()
            ) or Department.objects.create(name=name, short_name=short_name, kind=kind)
        return departments

    def _accounts(self, departments):
        User = get_user_model()
        users = {}
        for username, password, first_name, role, department in ACCOUNTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                # An address, so that `make run` shows notification emails on the
                # console; .invalid can never reach anyone.
                user = User(
                    username=username,
                    first_name=first_name,
                    email=f"{username}@demo.invalid",
                )
                if role == "admin":
                    user.is_staff = user.is_superuser = True
                user.set_password(password)
                user.save()
                if role != "admin":
                    user.groups.add(Group.objects.get(name=role))
                if department:
                    departments[department].members.add(user)
                if username in HEADS:
                    departments[HEADS[username]].heads.add(user)
                if username in LEADER_LEVELS:
                    AccountProfile.objects.update_or_create(
                        user=user,
                        defaults={"leader_level": LEADER_LEVELS[username]},
                    )
            users[username] = user
        return users

    def _sample_work(self, departments, users):
        obligations = {o.code: o for o in Obligation.objects.filter(report__year=2022)}
        if not obligations or any(o.department_id for o in obligations.values()):
            return
        admin = users["admin"]
        today = timezone.localdate()
        for code, (department, owner, due_in_days) in ASSIGNMENTS.items():
            if code in obligations:
                obligation_assign(
                    obligation=obligations[code],
                    user=admin,
                    department=departments[department],
                    owner=users[owner] if owner else None,
                    due_date=today + datetime.timedelta(days=due_in_days),
                    # Some demo items are meant to be overdue already.
                    past_allowed=True,
                    note="演示数据：初始分工",
                )
        for code, username in STARTED:
            if code in obligations:
                obligation_transition(
                    obligation=obligations[code],
                    user=users[username],
                    to_status=Obligation.Status.IN_PROGRESS,
                )
        for code, username, file_name, note in SUBMITTED:
            evidence_upload(
                obligation=obligations[code],
                user=users[username],
                file=SimpleUploadedFile(file_name, DEMO_PDF),
                note=note,
            )
            obligation_transition(
                obligation=obligations[code],
                user=users[username],
                to_status=Obligation.Status.SUBMITTED,
                note=note,
            )
        for code, decision, note, rating, rating_comment in REVIEWED:
            obligation_transition(
                obligation=obligations[code],
                user=users["supervisor"],
                to_status=decision,
                note=note,
                rating=rating,
                rating_comment=rating_comment,
            )
        for code, level, reason in ESCALATED:
            if code in obligations:
                obligation_set_supervision(
                    obligation=obligations[code],
                    user=users["supervisor"],
                    level=level,
                    note=reason,
                )
        self.stdout.write(f"Assigned {len(ASSIGNMENTS)} sample obligations.")

    def _organised_work(self, departments, users):
        """A township's part of an item 县司法局 leads (for town1), 县司法局's
        sign-off on with one submission waiting for head1, and a chase (催办).
        Only while no part exists, so a second run adds nothing."""
        obligations = {o.code: o for o in Obligation.objects.filter(report__year=2022)}
        if not obligations or Part.objects.exists():
            return
        supervisor = users["supervisor"]
        for code, unit in PARTS:
            part_add(
                obligation=obligations[code],
                user=supervisor,
                department=departments[unit],
                note="演示数据：属地配合",
            )
        for unit in sorted(set(HEADS.values())):
            department = departments[unit]
            department.signoff_required = True
            department.save(update_fields=["signoff_required"])
        for code, username, file_name, note in FOR_SIGNOFF:
            obligation = Obligation.objects.select_related("department").get(
                pk=obligations[code].pk
            )
            obligation_transition(
                obligation=obligation,
                user=users[username],
                to_status=Obligation.Status.IN_PROGRESS,
            )
            evidence_upload(
                obligation=obligation,
                user=users[username],
                file=SimpleUploadedFile(file_name, DEMO_PDF),
                note=note,
            )
            obligation_transition(
                obligation=obligation,
                user=users[username],
                to_status=Obligation.Status.SIGNOFF,
                note=note,
            )
        for code, note in CHASED:
            obligation_chase(obligation=obligations[code], user=supervisor, note=note)
        # 调度: monthly on the 25th since last month, so last month's period is
        # missed (未按时报送) and this month's is open; one item has filed.
        today = timezone.localdate()
        last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        schedule_save(
            schedule=Schedule(
                report=obligations["1.2.2"].report, starts_on=last_month, day=25
            ),
            user=users["admin"],
        )
        progress_report_file(
            obligation=obligations["1.2.2"],
            user=users["staff1"],
            progress="已完成辖区排查，正在整改。",
            next_steps="本月底前完成整改。",
            difficulties="乡镇配合材料尚未报送。",
        )

    def _leader_work(self, users):
        """A red 督办单 issued in the leader's name and the leader's 批示 on the
        item. Only while no notice names a leader, so a second run adds nothing."""
        obligations = {o.code: o for o in Obligation.objects.filter(report__year=2022)}
        if not obligations or not any(o.department_id for o in obligations.values()):
            return
        if SupervisionNotice.objects.filter(leader__isnull=False).exists():
            return
        leader = users["leader"]
        for code, reason in RED_IN_LEADERS_NAME:
            notice = obligation_set_supervision(
                obligation=Obligation.objects.get(pk=obligations[code].pk),
                user=users["supervisor"],
                level=Obligation.SupervisionLevel.RED,
                note=reason,
            ).new_notice
            notice_approve(notice=notice, user=leader)
        for code, text in INSTRUCTIONS:
            instruction_write(obligation=obligations[code], user=leader, text=text)

    def _print_accounts(self, *, city=False):
        self.stdout.write("")
        self.stdout.write(
            "Demo accounts (DEMO ONLY, never use these on a real server):"
        )
        for username, password, _first, role, department in ACCOUNTS:
            where = f" ({department})" if department else ""
            self.stdout.write(f"  {username:<11} {password:<22} {role}{where}")
        if city:
            username, password, _first = CITY_ACCOUNT
            self.stdout.write(f"  {username:<11} {password:<22} city supervisor")
            self.stdout.write(
                f"  <county>_supervisor / <county>_staff  {COUNTY_PASSWORD}  "
                f"(e.g. {COUNTIES[0][1]}_supervisor)"
            )
        self.stdout.write("Passwords are set on the first run only.")
