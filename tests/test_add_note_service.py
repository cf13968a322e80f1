"""obligation_add_note: progress notes from the people doing the work."""

import pytest
from django.core.exceptions import PermissionDenied

from tracker.models import ProgressUpdate
from tracker.services.common import ServiceError
from tracker.services.workflow import obligation_add_note


@pytest.mark.parametrize("role", ["staff_a", "tracker_admin"])
def test_working_staff_and_admin_post_a_progress_update(request, obligation, role):
    user = request.getfixturevalue(role)

    update = obligation_add_note(
        obligation=obligation, user=user, text=" 已召开专题会议 "
    )

    assert (update.author, update.action, update.text) == (
        user,
        ProgressUpdate.Action.COMMENT,
        "已召开专题会议",
    )
    assert list(obligation.updates.all()) == [update]


@pytest.mark.parametrize("role", ["staff_b", "supervisor"])
def test_other_staff_and_supervisors_may_not_post(request, obligation, role):
    with pytest.raises(PermissionDenied):
        obligation_add_note(
            obligation=obligation, user=request.getfixturevalue(role), text="x"
        )

    assert not obligation.updates.exists()


@pytest.mark.usefixtures("english")
def test_empty_update_is_refused(obligation, staff_a):
    with pytest.raises(ServiceError, match="Write"):
        obligation_add_note(obligation=obligation, user=staff_a, text="  ")

    assert not obligation.updates.exists()
