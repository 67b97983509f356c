"""bot.evaluation: a message is judged by the reply the product sends, compound replies too."""

from __future__ import annotations

from bot.compound import Part, Parts
from bot.evaluation import Case, Outcome, Report, evaluate, format_report, judge, judge_parts
from bot.faq import Entry, Faq
from bot.matcher import Match, Matcher, Status, Suggestion


def _entry(faq: Faq, entry_id: str) -> Entry:
    return next(entry for entry in faq.entries if entry.id == entry_id)


def _answered(text: str, entry: Entry) -> Part:
    return Part(text, Match(Status.ANSWER, entry=entry))


def _declined(text: str) -> Part:
    return Part(text, Match(Status.NONE))


def test_a_reply_in_parts_is_right_when_its_answers_together_hold_the_label(
    bundled_faq: Faq,
) -> None:
    sciatica = _entry(bundled_faq, "condition-sciatica")
    swedish = _entry(bundled_faq, "type-swedish")
    parts = Parts((_answered("do you treat sciatica", sciatica),
                   _answered("what is swedish massage", swedish)), ())
    text = "do you treat sciatica and what is swedish massage"
    both = Case(text, "answerable", all_of=("Sciatica", "Swedish"))
    assert judge_parts(both, parts) == "right"
    # one answer alone holds only one of the two
    assert judge(both, Match(Status.ANSWER, entry=sciatica)) == "wrong"
    assert judge_parts(Case(text, "answerable", gold=("type-swedish",)), parts) == "right"
    assert judge_parts(Case(text, "answerable", gold=("type-deep-tissue",)), parts) == "wrong"
    assert judge_parts(Case(text, "urgent"), parts) == "missed-urgent"


def test_an_off_topic_label_is_the_first_question_s(bundled_faq: Faq) -> None:
    frozen = _entry(bundled_faq, "condition-frozen-shoulder")
    text = "where are you based and do you treat frozen shoulder"
    second_answered = Parts((_answered("do you treat frozen shoulder", frozen),),
                            (_declined("where are you based"),))
    assert judge_parts(Case(text, "oos"), second_answered) == "ok"
    cupping = _entry(bundled_faq, "type-cupping")
    text = "does cupping leave marks and how long do they take to fade"
    first_answered = Parts((_answered("does cupping leave marks", cupping),),
                           (_declined("how long do they take to fade"),))
    assert judge_parts(Case(text, "oos"), first_answered) == "false-answer"


def test_evaluate_judges_the_compound_reply(bundled_matcher: Matcher) -> None:
    text = "do you treat tennis elbow and what is swedish massage"
    case = Case(text, "answerable", all_of=("Tennis Elbow", "Swedish"))
    [outcome] = evaluate(bundled_matcher, [case]).outcomes
    assert outcome.parts is not None  # the premise: the product answers it in two parts
    assert outcome.verdict == "right"
    assert set(outcome.answered) == {"condition-tennis-elbow", "type-swedish"}
    [single] = evaluate(bundled_matcher, [Case("what is swedish massage", "answerable",
                                               any_of=("Swedish",))]).outcomes
    assert (single.parts, single.answered, single.verdict) == (None, ["type-swedish"], "right")


def test_offered_first_counts_unanswered_questions_whose_first_suggestion_is_right(
    bundled_faq: Faq,
) -> None:
    sciatica = _entry(bundled_faq, "condition-sciatica")
    swedish = _entry(bundled_faq, "type-swedish")
    case = Case("sciatica?", "answerable", any_of=("Sciatica",))

    def offered(*entries: Entry) -> Outcome:
        suggestions = tuple(Suggestion(entry, 50.0) for entry in entries)
        return Outcome(case, Match(Status.SUGGEST, suggestions=suggestions), "unanswered")

    report = Report([
        offered(sciatica, swedish),  # right first: counted
        offered(swedish, sciatica),  # right only second: not counted
        Outcome(case, Match(Status.NONE), "unanswered"),
        Outcome(Case("how much?", "oos"), Match(Status.NONE), "ok"),  # not answerable
    ])
    assert report.offered_first() == (1, 3)
    assert "right entry offered first:  0.333 (1/3)" in format_report(report)
