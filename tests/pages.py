"""Read a page the way its user does: the text shown, what a form field holds, what a
control is called and what it announces (its label and aria-describedby), instead of
matching the markup that happens to produce them."""

import re

import lxml.html


def parse(page):
    """The document of a response (or of an HTML string)."""
    if not isinstance(page, str):
        page = page.content.decode()
    return lxml.html.document_fromstring(page)


_NEVER_SHOWN = "ancestor::script or ancestor::style or ancestor::*[@hidden]"
_FOR_SCREEN_READERS = "ancestor::*[contains(@class, 'visually-hidden')]"
_FOR_THE_EYE = "ancestor::*[@aria-hidden='true']"


def text(element):
    """The text in ``element`` (a response, an HTML string or an element) as a reader
    sees it, whitespace collapsed: without scripts, styles, ``hidden`` elements and
    what only screen readers get (``visually-hidden``)."""
    if isinstance(element, str) or hasattr(element, "content"):
        element = parse(element)
    return _collapse(
        element.xpath(f".//text()[not({_NEVER_SHOWN} or {_FOR_SCREEN_READERS})]")
    )


def spoken(element):
    """The text in ``element`` as a screen reader says it: with what is
    ``visually-hidden``, without what is ``aria-hidden`` (a decorative "*" or "→")."""
    return _collapse(element.xpath(f".//text()[not({_NEVER_SHOWN} or {_FOR_THE_EYE})]"))


def _collapse(parts):
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def form(page, action):
    """The one form posting to ``action``."""
    (found,) = parse(page).xpath("//form[@action=$action]", action=action)
    return found


def field(page_or_form, name):
    """The one control named ``name`` (in a form, or anywhere on the page)."""
    root = page_or_form if hasattr(page_or_form, "xpath") else parse(page_or_form)
    (found,) = root.xpath(
        ".//*[self::input or self::textarea or self::select][@name=$name]", name=name
    )
    return found


def value(page_or_form, name):
    """What the control named ``name`` holds, as the browser would send it."""
    control = field(page_or_form, name)
    if control.tag == "textarea":
        # HTML drops the newline that may follow <textarea>.
        return (control.text or "").removeprefix("\n")
    return control.value


def label(page, control_id):
    """The label of the control with id ``control_id``, as a screen reader says it."""
    (found,) = parse(page).xpath("//label[@for=$id]", id=control_id)
    return spoken(found)


def description(element):
    """What assistive technology reads after ``element``'s name: the text of every
    element its aria-describedby names (each of which must exist)."""
    document = element.getroottree()
    texts = []
    for ref in element.get("aria-describedby", "").split():
        (described_by,) = document.xpath("//*[@id=$id]", id=ref)
        texts.append(text(described_by))
    return " ".join(texts)


def struck_through(page):
    """The texts shown struck through (withdrawn evidence)."""
    return [text(e) for e in parse(page).xpath("//*[contains(@class, 'struck')]")]


def errors(page, control_id):
    """The error messages announced with the control ``control_id``: the error lists
    its aria-describedby names. Empty when the control is not marked invalid."""
    root = page if hasattr(page, "xpath") else parse(page)
    (control,) = root.getroottree().xpath("//*[@id=$id]", id=control_id)
    if control.get("aria-invalid") != "true":
        return []
    document = control.getroottree()
    return [
        text(item)
        for ref in control.get("aria-describedby", "").split()
        for item in document.xpath(
            "//*[@id=$id][contains(@class, 'errorlist')]/li", id=ref
        )
    ]


def table_rows(page, *, marked=None):
    """The body rows of the page's (first) table as {column header: cell text};
    ``marked`` keeps only the rows carrying that class (e.g. the overdue rows, which
    the reader sees highlighted)."""
    (table,) = parse(page).xpath("(//table)[1]")
    headers = [text(th) for th in table.xpath("./thead/tr/th")]
    rows = table.xpath("./tbody/tr")
    if marked is not None:
        rows = [row for row in rows if marked in row.get("class", "").split()]
    return [
        dict(zip(headers, (text(cell) for cell in row.xpath("./td")), strict=True))
        for row in rows
    ]
