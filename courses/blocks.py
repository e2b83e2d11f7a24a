"""The lesson block library: small blocks composed into LessonStreamBlock."""

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "blockquote"]


class HeadingBlock(blocks.StructBlock):
    """A section heading inside a lesson."""

    text = blocks.CharBlock(label=_("Heading"), max_length=200)
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Section")), ("h3", _("Subsection"))], default="h2", label=_("Level")
    )

    class Meta:
        icon = "title"
        template = "courses/blocks/heading.html"
        label = _("Heading")
        preview_value = {"text": "Why children do not always tell", "level": "h2"}


class FigureBlock(blocks.StructBlock):
    """An image with alt text and an optional caption, served as a WebP rendition."""

    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(required=False, max_length=300, label=_("Caption"))

    class Meta:
        icon = "image"
        template = "courses/blocks/figure.html"
        label = _("Image")


class VideoBlock(blocks.StructBlock):
    """A video file (uploaded as a document), loaded only when the learner presses play."""

    video = DocumentChooserBlock(label=_("Video file (MP4 or WebM)"))
    caption = blocks.CharBlock(required=False, max_length=300, label=_("Caption"))
    transcript = blocks.RichTextBlock(
        required=False,
        features=RICH_TEXT_FEATURES,
        label=_("Transcript"),
        help_text=_("A text version for people who cannot play or hear the video."),
    )

    class Meta:
        icon = "media"
        template = "courses/blocks/video.html"
        label = _("Video")


class DownloadBlock(blocks.StructBlock):
    """A document learners can download (a handout, a form, a session worksheet)."""

    document = DocumentChooserBlock(label=_("Document"))
    label = blocks.CharBlock(required=False, max_length=200, label=_("Link text"))

    class Meta:
        icon = "doc-full"
        template = "courses/blocks/download.html"
        label = _("Download")


class CalloutBlock(blocks.StructBlock):
    """A highlighted box: a safeguarding reminder, a practical tip or a warning."""

    kind = blocks.ChoiceBlock(
        choices=[
            ("safeguarding", _("Safeguarding")),
            ("tip", _("Tip")),
            ("warning", _("Warning")),
        ],
        default="safeguarding",
        label=_("Kind"),
    )
    title = blocks.CharBlock(required=False, max_length=200, label=_("Title"))
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"))

    class Meta:
        icon = "warning"
        template = "courses/blocks/callout.html"
        label = _("Callout")
        preview_value = {
            "kind": "safeguarding",
            "title": "If a child tells you",
            "text": "<p>Listen calmly, do not promise secrecy, and report the same day.</p>",
        }


class SessionPlanBlock(blocks.StructBlock):
    """A facilitator's guide for one club session."""

    title = blocks.CharBlock(max_length=200, label=_("Session title"))
    age_group = blocks.CharBlock(max_length=60, label=_("Age group"))
    duration_minutes = blocks.IntegerBlock(min_value=5, max_value=600, label=_("Duration (minutes)"))
    objectives = blocks.ListBlock(blocks.CharBlock(max_length=500), label=_("Objectives"))
    materials = blocks.ListBlock(blocks.CharBlock(max_length=500), label=_("Materials"))
    steps = blocks.ListBlock(blocks.TextBlock(), label=_("Steps"))
    discussion_questions = blocks.ListBlock(blocks.CharBlock(max_length=500), label=_("Discussion questions"))

    class Meta:
        icon = "list-ol"
        template = "courses/blocks/session_plan.html"
        label = _("Session plan")


class QuizBlock(blocks.StructBlock):
    """A quiz from the question bank; the lesson is complete when it is passed (pre-tests: taken)."""

    # Named by string: courses does not import assessments (imports point the other way).
    quiz = SnippetChooserBlock("assessments.Quiz", label=_("Quiz"))

    class Meta:
        icon = "form"
        template = "assessments/blocks/quiz.html"
        label = _("Quiz")


class H5PBlock(blocks.StructBlock):
    """An interactive H5P activity; the lesson is complete when the block's rule is met."""

    activity = SnippetChooserBlock("assessments.H5PActivity", label=_("H5P activity"))
    completion = blocks.ChoiceBlock(
        choices=[
            ("viewed", _("Viewed: opening the activity is enough")),
            ("answered", _("Answered: answering a question in it is enough")),
            ("completed", _("Completed: finishing the activity is enough")),
            ("passed", _("Passed: the score must reach the pass mark")),
        ],
        required=False,
        label=_("The lesson is complete when"),
        help_text=_(
            "Leave empty for the activity's own rule (content that gives no score: viewed). When the "
            "content cannot meet the rule, learners keep the Mark complete button."
        ),
    )

    class Meta:
        icon = "code"
        template = "assessments/blocks/h5p.html"
        label = _("H5P activity")


# Blocks whose activity, not the learner's click, completes the lesson.
ACTIVITY_BLOCKS = {"quiz", "h5p"}
# Apps above courses say whether one of their blocks can complete a lesson by itself (an H5P
# activity whose content can meet its rule): block type -> (raw block value -> bool). A block
# type not registered here always can.
block_completes: dict[str, Callable[[dict], bool]] = {}


def blocks_complete_lesson(blocks: list[dict]) -> bool:
    """Whether an activity among a lesson's blocks (raw stream data) completes the lesson, so the
    learner's *Mark complete* button is not offered."""
    for block in blocks:
        kind = block.get("type")
        if kind in ACTIVITY_BLOCKS:
            check = block_completes.get(kind)
            if check is None or check(block.get("value") or {}):
                return True
    return False


class LessonStreamBlock(blocks.StreamBlock):
    """Everything a lesson can be made of."""

    heading = HeadingBlock()
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, label=_("Text"), icon="pilcrow")
    figure = FigureBlock()
    video = VideoBlock()
    download = DownloadBlock()
    callout = CalloutBlock()
    session_plan = SessionPlanBlock()
    quiz = QuizBlock()
    h5p = H5PBlock()
