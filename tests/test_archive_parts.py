"""The year-end archive (一事一档) of an item with a co-operating unit: the part's
files and its timeline entries are in the item's folder."""

import csv
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import DepartmentFactory, ObligationFactory, UserFactory
from tests.test_archive_command import archive_to
from tests.workflow_helpers import PDF
from tracker.models import Part
from tracker.services.evidence import evidence_upload
from tracker.services.parts import part_add, part_transition


def test_the_archive_holds_each_parts_files_and_timeline(
    tmp_path, department_a, supervisor
):
    item = ObligationFactory(department=department_a, code="2.1", title="基层法治")
    township = DepartmentFactory(name="城关镇", kind="township")
    town1 = UserFactory(username="town1", first_name="周乡镇", groups=["staff"])
    township.members.add(town1)
    part = part_add(obligation=item, user=supervisor, department=township)
    part_transition(part=part, user=town1, to_status=Part.Status.IN_PROGRESS)
    evidence_upload(
        obligation=item,
        part=part,
        user=town1,
        file=SimpleUploadedFile("城关镇排查台账.pdf", PDF),
    )
    path = tmp_path / "archive.zip"

    archive_to(path, item.report)

    with zipfile.ZipFile(path) as zip_file:
        names = set(zip_file.namelist())
        timeline = zip_file.read("2.1 基层法治/时间线.csv").decode("utf-8-sig")
    assert "2.1 基层法治/佐证材料/城关镇排查台账.pdf" in names
    rows = list(csv.reader(io.StringIO(timeline)))
    texts = " ".join(row[-1] for row in rows)
    assert "城关镇" in texts and "周乡镇" in {row[1] for row in rows}
