"""Answer a quiz attempt page in the browser from the answer keys in the database.

The page names options by per-attempt tokens, never by their real ids; the attempt's layout in
the database says which token stands for which option (what the server knows, not the page).
"""

import re

from playwright.sync_api import expect

from assessments import layout
from assessments.models import Question, QuizAttempt


def attempt_on(page) -> QuizAttempt:
    """The attempt the browser is showing (its id is in the address)."""
    return QuizAttempt.objects.get(pk=int(re.search(r"/attempts/(\d+)/", page.url).group(1)))


def tokens_of_right_options(page) -> set[str]:
    """The tokens of the right options of every choice question on the attempt page."""
    right = set()
    for entry in attempt_on(page).layout:
        token = layout.token_of_option(entry)
        key = Question.objects.get(pk=entry["question"]).answer_key()
        right |= {token[o["id"]] for o in key["options"] if o["correct"]}
    return right


def answer_correctly(page, language: str) -> None:
    entries = {entry["question"]: entry for entry in attempt_on(page).layout}
    for fieldset in page.locator("fieldset.question").all():
        question_id = int(fieldset.get_attribute("data-question"))
        entry = entries[question_id]
        token, match = layout.token_of_option(entry), layout.token_of_match(entry)
        key = Question.objects.get(pk=question_id).answer_key()
        prefix = f"q{question_id}"
        kind = key["kind"]
        if kind == "single_choice":
            right = next(o["id"] for o in key["options"] if o["correct"])
            fieldset.locator(f"input[value='{token[right]}']").check()
        elif kind == "multiple_response":
            for option in key["options"]:
                box = fieldset.locator(f"input[value='{token[option['id']]}']")
                box.check() if option["correct"] else box.uncheck()
        elif kind == "true_false":
            fieldset.locator(f"input[value='{'true' if key['answer'] else 'false'}']").check()
        elif kind == "short_text":
            accepted = key["accepted"][language] or key["accepted"]["mn"] or key["accepted"]["en"]
            fieldset.locator(f"input[name='{prefix}']").fill(accepted[0])
            fieldset.locator(f"input[name='{prefix}']").dispatch_event("change")
        elif kind == "ordering":
            for position, option in enumerate(key["options"], 1):
                fieldset.locator(f"select[name='{prefix}-{token[option['id']]}']").select_option(
                    str(position)
                )
        elif kind == "matching":
            for option in key["options"]:
                select = fieldset.locator(f"select[name='{prefix}-{token[option['id']]}']")
                select.select_option(match[option["id"]])
        expect(fieldset.locator(".save-status")).not_to_have_text("")


def submit(page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("form.quiz-form button[type=submit]").click()
