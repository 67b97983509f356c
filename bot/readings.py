"""Vital signs written as numbers ("SpO2 82% on air", "BGL 1.6", "RR 36", "BP 85/50"), and
whether they are in the range of an emergency.

Nurses, carers and people with a home monitor tell an emergency by its readings, and no
phrase of urgent.yaml lists a number. This module finds each reading a message gives, scores
it on the National Early Warning Score (NEWS2, Royal College of Physicians, 2017: its adult
table for breathing rate, oxygen saturation on scale 1, systolic blood pressure, pulse and
temperature), and calls the message's readings dangerous where NEWS2 asks for an emergency
assessment: one reading scoring 3 (its "red score"), or readings that add up to 5 or more
(its "urgent response" threshold). Blood sugar is not in NEWS2: below 3.0 mmol/L (54 mg/dL)
is a level 2 hypoglycaemia, "clinically significant" (International Hypoglycaemia Study Group,
2017), the level at which the sugar must be treated at once. NEWS2 scores no high pressure
below 220: from 180 (a hypertensive crisis, American Heart Association) a pressure is an
emergency when a sign of organ damage comes with it (`crisis`; triage reads the signs).

A reading taken during exercise is what exercise does ("heart rate 165 on the hill sprint"):
a message that names exercise has its pulse and breathing rate left out. And a low blood
pressure or pulse that the message calls usual ("my BP always runs low, 90/60") is someone's
normal. Triage (bot/triage.py) then reads each dangerous reading's words as a sign, with the
cues it reads around any sign: "my sats were 85 when I had covid last year" is history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# NEWS2's adult bands: (lowest value of the band, its score), from the lowest band up.
_BANDS: dict[str, tuple[tuple[float, int], ...]] = {
    "breathing": ((0, 3), (9, 1), (12, 0), (21, 2), (25, 3)),
    "oxygen": ((0, 3), (92, 2), (94, 1), (96, 0)),
    "systolic": ((0, 3), (91, 2), (101, 1), (111, 0), (220, 3)),
    "pulse": ((0, 3), (41, 1), (51, 0), (91, 1), (111, 2), (131, 3)),
    "temperature": ((0, 3), (35.1, 1), (36.1, 0), (38.1, 1), (39.1, 2)),
}
RED_SCORE = 3  # one reading this far out asks for an emergency assessment
URGENT_TOTAL = 5  # NEWS2's urgent-response threshold, for readings that add up
GLUCOSE_MMOL = 3.0  # below it: level 2 hypoglycaemia (54 mg/dL)
# From it up, a systolic pressure is a hypertensive crisis (American Heart Association,
# "Hypertensive crisis: when you should call 911 for high blood pressure": 180/120 or higher),
# an emergency when a sign of damage to an organ comes with it (triage reads those signs).
CRISIS_SYSTOLIC = 180.0
MG_PER_DL_PER_MMOL = 18.0  # glucose's molar mass, 180 g/mol, over 10
# A value past these is no reading of its kind (a typo, a date, a dose): it is ignored.
_PLAUSIBLE = {
    "breathing": (1, 80),
    "oxygen": (40, 100),
    "systolic": (40, 300),
    "pulse": (20, 250),
    "temperature": (25, 45),
    "glucose": (0.5, 35),  # mmol/L, after mg/dL are converted
}

# Between a label and its value: "sats are 84", "BGL: 1.6", "pulse down to 38".
_BETWEEN = (
    r"(?:\s*(?:[:=~]|-|is|are|was|were|of|at|now|only|just|reading|reads|showing|shows|says|"
    r"level|levels|down|dropped|dropping|fell|falling|gone|to|about|around|approx|like)\b)"
    r"{0,3}\s*"
)
_NUMBER = r"(\d{1,3}(?:[.,]\d{1,2})?)"
# What a number followed by one of these counts is no reading: "1 hr 30 mins", "blood sugar
# 2 hours after eating", "bm 2x a day".
_NOT_A_READING = (
    r"(?!\s*(?:/|over)\s*\d)(?![.,]?\d)(?!\s*(?:mins?|minutes?|hours?|hrs?|h|secs?|seconds?|"
    r"days?|weeks?|wks?|months?|years?|yrs?|kg|kilos?|lbs?|pounds?|stone|cm|mm|ml|mg|mcg|"
    r"units?|pm|am|x|times|sessions?|miles?|km|k|st|nd|rd|th)\b)"
)
_LABELS = {
    # not a bare "sat" ("sat 40 minutes in the waiting room")
    "oxygen": r"spo2|sp02|sao2|o2 sats?|o2|oxygen(?: saturation| sats?| levels?)?|sats|"
    r"saturations?|pulse ox(?:imeter)?|pulse oximetry",
    "breathing": r"rr|resp(?:iratory)? rate|resps|resp|breathing rate|respirations",
    "pulse": r"hr|heart ?rate|pulse(?: rate)?",
    "temperature": r"temp|temperature",
    "glucose": r"bgl|bg|bm|cbg|blood sugars?|blood glucose|sugars?|glucose(?: level)?",
}
# (and "presure", the commonest slip: the numbers are read as written, before any speller)
_PRESSURE_LABELS = r"bp|blood pressure|blood presure|b/p"
_BLOOD_PRESSURE = re.compile(
    # "220 on 120": Russian, Ukrainian and Polish give a pressure so ("220 на 120"), and the
    # glossary reads it in English word for word
    rf"\b(?:{_PRESSURE_LABELS}|pressure|presure)\b" + _BETWEEN
    + r"(\d{2,3})\s*(?:/|over|on)\s*\d{2,3}"
    r"|\b(\d{2,3})\s*(?:/|over)\s*\d{2,3}\s*(?:mm ?hg|bp)\b"
    r"|\b(?:systolic|sbp)\b" + _BETWEEN + r"(\d{2,3})"
    r"|\b(\d{2,3})\s*(?:mm ?hg\s*)?systolic\b"
)
# A pair such as "230/130" is a blood pressure in a message that names one ("BP usually fine
# but today it's 230/130"), and may be anything else (a date, a score) in one that does not.
_NAMES_PRESSURE = re.compile(rf"\b(?:{_PRESSURE_LABELS}|systolic)\b")
_PAIR = re.compile(r"\b(\d{2,3})\s*(?:/|over)\s*\d{2,3}\b")
_LABELLED = [
    (kind, re.compile(rf"\b(?:{label})\b{_BETWEEN}{_NUMBER}{_NOT_A_READING}"))
    for kind, label in _LABELS.items()
]
# A value with its unit after it, and no label: "150 bpm", "40 breaths a minute".
_UNITS = [
    ("pulse", re.compile(rf"{_NUMBER}\s*(?:bpm|beats (?:a|per) min(?:ute)?)\b")),
    ("breathing", re.compile(rf"{_NUMBER}\s*breaths (?:a|per|/) ?min(?:ute)?\b")),
    ("oxygen", re.compile(rf"{_NUMBER}\s*%\s*(?:o2|oxygen|sats?|spo2)\b")),
    ("glucose", re.compile(rf"{_NUMBER}\s*(?:mmol|mg ?/ ?dl)")),
    ("temperature", re.compile(rf"{_NUMBER}\s*(?:°\s*c\b|degrees c(?:elsius)?\b|celsius\b)")),
]
_FAHRENHEIT = re.compile(r"\s*(?:°\s*f\b|f\b|degrees f|fahrenheit)")
_MG_PER_DL = re.compile(r"\s*mg ?/ ?dl")
# Words that say a reading was taken during exercise: pulse and breathing rate then say how
# hard it was, not that something is wrong.
_EXERCISE = re.compile(
    r"\b(?:run|runs|running|ran|jog|jogging|sprint|sprints|sprinting|workout|work out|"
    r"working out|gym|training|train|cycling|cycle|bike|spin class|exercise|exercising|"
    r"cardio|hiit|treadmill|race|racing|marathon|hike|hiking|climb|climbing|"
    r"athlete|athletic|runner|cyclist|swimmer|rower|triathlete|max|peak|zone \d)\b"
)


# Words that say a low blood pressure or pulse is the person's usual: "my BP is always low,
# about 90/60, will massage make me dizzy?" (a low reading that is someone's normal is no
# emergency; NEWS2 scores a change, read by a clinician who knows the patient).
_USUAL = re.compile(
    r"\b(?:usually|usual|normally|normal for me|always|runs low|run low|tends to|tend to|"
    r"naturally|on the low side|low blood pressure)\b"
)


@dataclass(frozen=True)
class Reading:
    """One vital sign a message gives: its kind, its value, and its words as written."""

    kind: str
    value: float
    words: str
    score: int  # NEWS2's for the reading; for blood sugar RED_SCORE when dangerous, else 0


def readings(text: str) -> list[Reading]:
    """Every reading the message gives, in the order written (one per span of text)."""
    if not any(char.isdigit() for char in text):  # most messages: no number, no reading
        return []
    folded = text.casefold()
    found: dict[tuple[int, int], Reading] = {}  # by (start, end) of its words

    def add(kind: str, match: re.Match[str], group: int) -> None:
        start, end = match.span()
        if any(start < other_end and other_start < end for other_start, other_end in found):
            return
        value = float(match.group(group).replace(",", "."))
        after = folded[match.end(group) :]
        if kind == "temperature" and _FAHRENHEIT.match(after):
            value = round((value - 32) * 5 / 9, 1)
        if kind == "glucose" and (value > 30 or _MG_PER_DL.match(after)):
            value = round(value / MG_PER_DL_PER_MMOL, 1)
        low, high = _PLAUSIBLE[kind]
        if not low <= value <= high:
            return
        found[(start, end)] = Reading(kind, value, match.group(0), _score(kind, value))

    for match in _BLOOD_PRESSURE.finditer(folded):
        group = next(number for number in range(1, 5) if match.group(number))
        add("systolic", match, group)
    if _NAMES_PRESSURE.search(folded):
        for match in _PAIR.finditer(folded):
            add("systolic", match, 1)
    for kind, pattern in _LABELLED:
        for match in pattern.finditer(folded):
            add(kind, match, 1)
    for kind, pattern in _UNITS:
        for match in pattern.finditer(folded):
            add(kind, match, 1)
    return [found[key] for key in sorted(found)]


def dangerous(text: str) -> list[Reading]:
    """The readings that make the message an emergency, as NEWS2 and the hypoglycaemia
    levels read them (see the module's doc); [] when they do not."""
    return _dangerous(readings(text), text)


def crisis(text: str) -> list[Reading]:
    """The blood pressures of a hypertensive crisis (CRISIS_SYSTOLIC and up) that `dangerous`
    does not already count: an emergency only with a sign of organ damage beside it ("BP
    200/115 and a crushing headache"), which triage looks for; alone ("185/95 this morning,
    feel fine") the AHA's advice is to measure again and call a doctor."""
    return _crisis(readings(text))


def signs(text: str) -> tuple[list[Reading], list[Reading]]:
    """`dangerous` and `crisis` of a message from one reading of its numbers (triage needs
    both)."""
    given = readings(text)
    return _dangerous(given, text), _crisis(given)


def _dangerous(given: list[Reading], text: str) -> list[Reading]:
    folded = text.casefold()
    if _EXERCISE.search(folded):
        given = [reading for reading in given if reading.kind not in ("pulse", "breathing")]
    if _USUAL.search(folded):
        given = [reading for reading in given if not _low_as_usual(reading)]
    if any(reading.score >= RED_SCORE for reading in given):
        return [reading for reading in given if reading.score >= RED_SCORE]
    if sum(reading.score for reading in given) >= URGENT_TOTAL:
        return [reading for reading in given if reading.score > 0]
    return []


def _crisis(given: list[Reading]) -> list[Reading]:
    return [
        reading for reading in given
        if reading.kind == "systolic" and reading.value >= CRISIS_SYSTOLIC
        and reading.score < RED_SCORE
    ]


def _low_as_usual(reading: Reading) -> bool:
    """A low blood pressure or pulse, which may be someone's usual (_USUAL)."""
    return (reading.kind == "systolic" and reading.value <= 100) or (
        reading.kind == "pulse" and reading.value <= 50
    )


def _score(kind: str, value: float) -> int:
    if kind == "glucose":
        return RED_SCORE if value < GLUCOSE_MMOL else 0
    score = 0
    for lowest, band_score in _BANDS[kind]:
        if value >= lowest:
            score = band_score
    return score
