"""The seed report (巫溪县 2022) that the import tests feed in, as text and as .docx."""

import docx
from django.conf import settings

SEED = settings.BASE_DIR / "fixtures" / "source" / "wuxi-2022-rule-of-law-report.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8")


def write_docx(path, text=SEED_TEXT, indent=""):
    """A Word document at ``path`` with one paragraph per line of ``text``, each
    starting with ``indent`` (Chinese documents indent with two full-width spaces)."""
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(indent + line)
    document.save(path)
    return path
