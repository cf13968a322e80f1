"""The admin sets a county leader's level (县领导: 分管负责人, 县委副书记·常务副县长,
主要领导) on the account's profile: the colour of 督办单 they sign follows it."""

from django.contrib.auth.models import Group
from django.urls import reverse

from tracker.models import AccountProfile, LeaderLevel


def test_the_admin_sets_a_leaders_level(admin_client, leader):
    response = admin_client.post(
        reverse("admin:auth_user_change", args=[leader.pk]),
        {
            "username": leader.username,
            "is_active": "on",
            "groups": [Group.objects.get(name="leader").pk],
            "date_joined_0": "2024-01-01",
            "date_joined_1": "08:00:00",
            "account_profile-TOTAL_FORMS": "1",
            "account_profile-INITIAL_FORMS": "1",
            "account_profile-0-id": leader.account_profile.pk,
            "account_profile-0-user": leader.pk,
            "account_profile-0-mobile": "",
            "account_profile-0-leader_level": LeaderLevel.DEPUTY,
        },
    )

    assert response.status_code == 302
    assert AccountProfile.objects.get(user=leader).leader_level == LeaderLevel.DEPUTY
