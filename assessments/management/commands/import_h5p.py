"""Import an H5P package as a new activity: ``manage.py import_h5p PATH [--title TITLE]``."""

from django.core.management.base import BaseCommand, CommandError

from assessments.h5p import services
from assessments.models import H5PActivity


class Command(BaseCommand):
    help = (
        "Validate an .h5p package and store it as a new H5P activity; prints the activity's id. "
        "Whoever runs this command may install new library code."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .h5p file")
        parser.add_argument("--title", default="", help="the activity's title (default: the package's)")
        parser.add_argument("--pass-mark", type=int, default=70, help="pass mark in percent (default 70)")
        parser.add_argument(
            "--completion",
            choices=[choice for choice, _label in H5PActivity.CompletionRule.choices],
            default="",
            help=(
                "what completes the lesson: viewed, answered, completed or passed (default: passed "
                "for content that gives a score, viewed otherwise)"
            ),
        )
        parser.add_argument("--ungraded", action="store_true", help="the content gives no score")

    def handle(self, *args, path, title, pass_mark, completion, ungraded, **options):
        if not 0 <= pass_mark <= 100:
            raise CommandError("--pass-mark must be between 0 and 100")
        try:
            activity = services.activity_import(
                source=path,
                title=title,
                may_install_libraries=True,
                pass_mark=pass_mark,
                completion_rule=completion,
                graded=not ungraded,
            )
        except services.PackageRefused as error:
            raise CommandError(
                f"{path} was refused, nothing was stored:\n" + "\n".join(f"- {p}" for p in error.problems)
            ) from None
        self.stdout.write(str(activity.pk))
        for line in services.media_report(activity.external_hosts):
            self.stderr.write(str(line))
