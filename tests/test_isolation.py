"""Readers that cannot be interrupted from inside run in a child process with a
time and a memory limit (tracker.isolation): the admin's import refuses what the
child could not read, and the web process goes on."""

import time

import pytest

from tests.test_admin_import import post
from tracker.importing import ReportFormatError, reading
from tracker.isolation import LimitExceeded, run_limited


def allocate(megabytes):
    return len(bytearray(megabytes * 1024 * 1024))


def sleep_then_answer(seconds):
    time.sleep(seconds)
    return "late"


def refuse():
    raise ReportFormatError("不是报告")


def test_the_childs_answer_comes_back():
    assert run_limited(allocate, 10, seconds=20) == 10 * 1024 * 1024


def test_work_beyond_the_memory_limit_is_refused():
    with pytest.raises(LimitExceeded) as error:
        run_limited(allocate, 600, seconds=20, extra_memory=200 * 1024 * 1024)

    assert error.value.reason == "memory"


def test_work_beyond_the_time_limit_is_refused():
    with pytest.raises(LimitExceeded) as error:
        run_limited(sleep_then_answer, 30, seconds=0.5)

    assert error.value.reason == "time"


def test_the_readers_own_refusal_comes_back_as_it_is():
    with pytest.raises(ReportFormatError, match="不是报告"):
        run_limited(refuse, seconds=20)


def four_mb_page():
    paragraph = "<p>" + "坚持依法全面履行政府职能，深化放管服改革。" * 20 + "</p>\n"
    body = paragraph * (4 * 1024 * 1024 // len(paragraph.encode()))
    return f"<html><head><title>报告</title></head><body>{body}</body></html>".encode()


def test_a_4_mb_web_page_is_read_or_refused_with_a_message(
    tracker_admin_client, settings
):
    settings.JOB_READ_SECONDS = 3
    page = four_mb_page()
    assert 4 * 1024 * 1024 - 1000 < len(page) < 5 * 1024 * 1024

    response = post(tracker_admin_client, "preview", page, "report.html")

    # Refused on the job's page (not read in time), or read by the worker and then
    # previewed or refused by the preview's form; never a dead worker.
    content = response.content.decode()
    if response.status_code == 200:
        assert 'id="job-error"' in content or "Importing would create" in content
    else:
        assert response.status_code == 400
        assert 'class="errorlist' in content


def test_a_report_that_needs_too_much_memory_is_refused_with_a_message(
    tracker_admin_client, settings, monkeypatch
):
    # A reader that wants 600 MB, under a limit of 200 MB more than the worker's.
    monkeypatch.setattr(reading, "read_report", _reader_wanting(600))
    settings.JOB_MEMORY_LIMIT_MB = 200

    response = post(tracker_admin_client, "preview", four_mb_page(), "report.html")

    assert response.status_code == 200
    assert "needs too much memory to read here" in response.content.decode()


def _reader_wanting(megabytes):
    def read_report(path, *, deadline=None):
        allocate(megabytes)
        return "读完了"

    return read_report
