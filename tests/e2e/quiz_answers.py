"""Answer a quiz attempt page in the browser, rightly, from the answer keys in the database."""

from playwright.sync_api import expect

from assessments.models import Question


def answer_correctly(page, language: str) -> None:
    for fieldset in page.locator("fieldset.question").all():
        question_id = int(fieldset.get_attribute("data-question"))
        key = Question.objects.get(pk=question_id).answer_key()
        prefix = f"q{question_id}"
        kind = key["kind"]
        if kind == "single_choice":
            right = next(o["id"] for o in key["options"] if o["correct"])
            fieldset.locator(f"input[value='{right}']").check()
        elif kind == "multiple_response":
            for option in key["options"]:
                box = fieldset.locator(f"input[value='{option['id']}']")
                box.check() if option["correct"] else box.uncheck()
        elif kind == "true_false":
            fieldset.locator(f"input[value='{'true' if key['answer'] else 'false'}']").check()
        elif kind == "short_text":
            accepted = key["accepted"][language] or key["accepted"]["mn"] or key["accepted"]["en"]
            fieldset.locator(f"input[name='{prefix}']").fill(accepted[0])
            fieldset.locator(f"input[name='{prefix}']").dispatch_event("change")
        elif kind == "ordering":
            for position, option in enumerate(key["options"], 1):
                fieldset.locator(f"select[name='{prefix}-{option['id']}']").select_option(str(position))
        elif kind == "matching":
            for option in key["options"]:
                fieldset.locator(f"select[name='{prefix}-{option['id']}']").select_option(option["id"])
        expect(fieldset.locator(".save-status")).not_to_have_text("")


def submit(page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("form.quiz-form button[type=submit]").click()
