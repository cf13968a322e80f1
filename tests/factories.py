"""factory-boy factories for the domain; tests build exactly the rows they assert on."""

import io

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from openpyxl import Workbook

from tracker.account_sheet import COLUMNS
from tracker.models import Department, Evidence, Obligation, Report, Section


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("demo-pass-123")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or ():
            self.groups.add(Group.objects.get(name=name))


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"部门{n}")
    short_name = factory.Sequence(lambda n: f"D{n}")


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report
        django_get_or_create = ("organization", "year")

    organization = "测试县"
    year = 2022
    title = factory.LazyAttribute(
        lambda o: f"{o.organization}{o.year}年法治政府建设情况报告"
    )
    source_text = factory.LazyAttribute(lambda o: o.title)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    report = factory.SubFactory(ReportFactory)
    parent = None
    number = factory.Sequence(lambda n: n + 1)
    code = factory.LazyAttribute(lambda o: str(o.number))
    title = factory.Sequence(lambda n: f"章节{n}")
    position = factory.Sequence(lambda n: n)


class ObligationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Obligation

    report = factory.SubFactory(ReportFactory)
    section = factory.SubFactory(
        SectionFactory, report=factory.SelfAttribute("..report")
    )
    kind = Obligation.Kind.WORK_ITEM
    code = factory.Sequence(lambda n: f"9.{n}")
    title = factory.Sequence(lambda n: f"事项{n}")
    body = factory.LazyAttribute(lambda o: f"{o.title}。正文。")
    position = factory.Sequence(lambda n: n)


class EvidenceFactory(factory.django.DjangoModelFactory):
    """An evidence row without a file on disk, for tests that count or list evidence;
    ``withdrawn=True`` marks it withdrawn now."""

    class Meta:
        model = Evidence

    class Params:
        withdrawn = factory.Trait(withdrawn_at=factory.LazyFunction(timezone.now))

    obligation = factory.SubFactory(ObligationFactory)
    file = "evidence/x.pdf"
    original_name = "x.pdf"
    size = 1
    sha256 = "0" * 64
    content_type = "application/pdf"
    uploaded_by = factory.SubFactory(UserFactory)


def accounts_sheet(rows):
    """The accounts sheet (account_sheet.COLUMNS) with these rows, as XLSX bytes."""
    workbook = Workbook()
    workbook.active.append(COLUMNS)
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
