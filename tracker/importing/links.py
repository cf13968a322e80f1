"""The editorial task -> problem links of a report, from a JSON file."""

import json
from pathlib import Path

from django.utils.translation import gettext as _

from .tree import ReportFormatError


def read_links(path) -> dict[str, list[str]]:
    """The editorial task -> problem links of a report, from a JSON file::

        {"links": [{"task": "4.4", "problem": "3.1", "why": "…"}, …]}

    Every link must say why: the link is a judgement, not something the text
    numbers, and the reason is what a reviewer checks."""
    path = Path(path)
    if not path.is_file():
        raise ReportFormatError(_("Link file not found: %(name)s") % {"name": path})
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        message = _("Link file is not valid JSON: %(name)s (%(error)s)") % {
            "name": path,
            "error": error,
        }
        raise ReportFormatError(message) from None
    entries = data.get("links") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ReportFormatError(
            _("Link file has no “links” list: %(name)s") % {"name": path}
        )
    links: dict[str, list[str]] = {}
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(key), str) and entry[key].strip()
            for key in ("task", "problem", "why")
        ):
            raise ReportFormatError(
                _("Link %(number)d in %(name)s needs a task, a problem and a why.")
                % {"number": number, "name": path}
            )
        links.setdefault(entry["task"], []).append(entry["problem"])
    return links
