"""Remove Wagtail's default "Moderators" and "Editors" groups: the project's role groups
(lms.accounts.roles) replace them and nothing uses them. A workflow task that asked Moderators
for approval (Wagtail's default "Moderators approval") asks the curriculum reviewers instead.
Reversing does nothing: the groups are not brought back."""

from django.db import migrations

WAGTAIL_DEFAULT_GROUPS = ("Moderators", "Editors")  # as in lms.accounts.roles, frozen here
REVIEWERS = "Curriculum reviewers"


def remove_default_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    moderators = Group.objects.filter(name="Moderators").first()
    if moderators is not None:
        tasks = GroupApprovalTask.objects.filter(groups=moderators)
        if tasks.exists():
            reviewers, _created = Group.objects.get_or_create(name=REVIEWERS)
            for task in tasks:
                task.groups.add(reviewers)
    Group.objects.filter(name__in=WAGTAIL_DEFAULT_GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_invitations_requests_audit"),
        # Every Wagtail migration that creates these groups or gives them permissions.
        ("wagtailcore", "0048_add_default_workflows"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtaildocs", "0002_initial_data"),
        ("wagtailimages", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(remove_default_groups, migrations.RunPython.noop)]
