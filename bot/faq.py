"""The FAQ model and its loader: faq.yaml in, frozen dataclasses out, or errors with line numbers.

Only PyYAML's safe machinery is used: the file is composed into nodes by the SafeLoader (so no
tag can construct an arbitrary object) and scalars are built by the SafeConstructor. Walking the
nodes ourselves, instead of calling `yaml.safe_load` and losing positions, is what lets every
error name the file, the line and the field, which the practice's admin needs to fix a typo.

Urgent-care triage, small talk, common synonyms and the notes for messages in other languages
are the bot's own, in bot/data/urgent.yaml, smalltalk.yaml, synonyms.yaml and languages.yaml:
read once per process and part of every Faq. A faq.yaml may add to them in sections of the same
names (more triggers, classes, phrases and variants, after the built-in ones; other replies and
notes), but never take anything built in away.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from itertools import product
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import yaml

from bot import yaml_errors
from bot.package_data import SAFE_LOADER
from bot.text import words

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# The entry that lists the treated conditions; its `related` ids are the conditions themselves.
# /conditions in the bot and in the terminal chat both start from it.
CONDITIONS_ID = "conditions"

# In an urgent trigger, joins parts that must all appear in a message, in any order
# ("fever & stiff neck").
URGENT_AND = "&"

# In an urgent trigger, a word class: "<numb> & <groin>" stands for every pairing of the
# phrases listed under `urgent.classes.numb` and `urgent.classes.groin`.
URGENT_CLASS = re.compile(r"<([a-z][a-z0-9_]*)>")

# The not_covered group `faq-bot teach` and the Teach buttons add questions to (bot.teach). A
# group is one topic (bot.coverage), but these were marked one at a time: each is its own.
TAUGHT_GROUP = "taught from Telegram"

# What a faq.yaml gets when it leaves these out.
DEFAULT_FALLBACK = (
    "Sorry, I couldn't find that in our FAQ. Try /topics to browse the questions, or ask in"
    " other words. For anything about your own health, bookings or prices, please contact the"
    " practice directly."
)
DEFAULT_TOPIC = "Questions"

# In a not-covered group's `no` line, where the phrase the person named goes.
PHRASE_SLOT = "{phrase}"

# The sections built into the bot (bot/data/<name>.yaml) that a faq.yaml may add to.
BUILTIN_SECTIONS = ("urgent", "smalltalk", "synonyms", "languages")

# The languages a faq.yaml's `languages:` section may write notes for: the ones bot.language
# tells apart from English, with thresholds measured on tests/data/languages/ for exactly
# these. Another code would never be detected, so the loader refuses it rather than ignore it.
NOTE_LANGUAGES = ("de", "es", "fr", "it", "nl", "pl", "pt", "ru", "tr", "uk")

# `practice:`, the practice's own details, each optional; shown in this order by /contact.
PRACTICE_KEYS = ("name", "address", "hours", "phone", "email", "website", "booking_url")
# The details that may span lines (an address, opening hours per day); the rest are one line.
PRACTICE_MULTILINE = frozenset({"address", "hours"})
# A one-line detail, and a multi-line one: generous for any real address or opening hours, and
# small enough that /contact stays one short message.
MAX_PRACTICE_LINE = 300
MAX_PRACTICE_BLOCK = 600
# A phone number as people write it: digits, a + before the country code, and spaces, dashes,
# dots or brackets between them. E.164 numbers have at most 15 digits.
PHONE_PATTERN = re.compile(r"\+?[0-9][0-9 ()\-.]*")
MAX_PHONE_DIGITS = 15
MIN_PHONE_DIGITS = 3
# An address someone can write to: one @, no spaces, a dot in the domain and a name after it.
EMAIL_PATTERN = re.compile(r"[^@\s:;,<>()\[\]\"]+@[^@\s:;,<>()\[\]\"/]+\.[^\W\d_]{2,}")
# What each detail looks like, for the messages that explain a mistake (all examples).
PRACTICE_EXAMPLES = {
    "name": "Example Massage Practice",
    "address": "1 Example Street, Example Town",
    "hours": "Monday to Friday, 9:00 to 18:00",
    "phone": "+44 20 0000 0000",
    "email": "reception@example.org",
    "website": "https://www.example.org",
    "booking_url": "https://www.example.org/book",
}

# -- limits: what any FAQ file may cost to load --------------------------------------------
# Every file up to these limits loads in seconds and a few hundred MB; past one, the file is
# refused with a problem naming the line, before the work it would cost is done. Measured on
# the bundled faq.yaml (76 KB, 45 entries) and on scripts/bench_match.py's generated FAQ of
# 10,000 entries (the size the matcher is benchmarked at: 7.3 MB, 231,000 YAML nodes).

# Twice the benchmark's 10,000-entry file (7.3 MB), 200 times the bundled one; checked before
# the file is read whole, so a huge file (or /dev/zero) costs nothing.
MAX_FILE_BYTES = 16 * 1024 * 1024
# Twice the 10,000 entries the matcher is benchmarked at (the bundled file has 45).
MAX_ENTRIES = 20_000
# An entry's question, alternates and keywords: the bundled file's most phrased entry has 92.
MAX_PHRASINGS_PER_ENTRY = 500
# All entries' phrasings together: the benchmark's 10,000 entries have about 100,000, the
# bundled 45 have 1,568 (35 each; 20,000 entries of 10 each fit).
MAX_PHRASINGS = 200_000
# Mappings, lists and texts in the file, counted as it is read, before it is composed (a node
# costs about 300 bytes composed): 20,000 entries like the benchmark's take 462,000.
MAX_NODES = 600_000
# One text: five times the bundled file's longest answer (4,118 characters); Telegram shows
# at most 4,096 in one message.
MAX_TEXT_CHARS = 20_000
# Mappings and lists inside each other: the format goes 5 deep (entries > entry > alternates).
MAX_DEPTH = 20
# One urgent trigger spelt out with its word classes ("<a> & <b>" stands for |a| x |b|
# phrases, all built for triage): the built-in triggers' largest makes 1,134.
MAX_URGENT_PER_TRIGGER = 6_000
# All urgent triggers spelt out together: the built-in ones make 15,572 (five times that fits).
MAX_URGENT_PHRASES = 80_000
# YAML anchors and aliases (&name, *name) are refused outright: an admin's FAQ has no need of
# them, and each use of an alias is walked again in full (one 10 KB alias used 1,000 times in a
# 13 KB file is 10 MB of text, and aliases of aliases grow exponentially).


@dataclass(frozen=True)
class Entry:
    """One question the FAQ answers, with the ways people ask it."""

    id: str
    topic: str
    question: str
    answer: str
    alternates: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    # The practice's own words sent before the answer ("Yes, sciatica is one of the conditions
    # we treat."): the entry's `lead`, else its topic's (`topics:`), else none ("").
    lead: str = ""
    line: int = 0

    @property
    def phrasings(self) -> tuple[str, ...]:
        """Everything that should lead to this entry: the question, alternates and keywords."""
        return (self.question, *self.alternates, *self.keywords)


@dataclass(frozen=True)
class Smalltalk:
    """A kind of small talk (greeting, thanks, goodbye): what triggers it and what the bot says."""

    name: str
    reply: str
    triggers: tuple[str, ...]


@dataclass(frozen=True)
class LanguageNotes:
    """What the bot says, in one language, to a person who writes in it (see bot.language)."""

    answer_note: str  # one line before an English answer: "The answer is in English."
    english_only: str  # when it cannot answer: it understands English only; topics below


@dataclass(frozen=True)
class Practice:
    """The practice's details from `practice:`, each "" when not given (validated: one line
    each but `address` and `hours`, a phone number, an email address, http(s) links)."""

    name: str = ""
    address: str = ""
    hours: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    booking_url: str = ""

    @property
    def dial(self) -> str:
        """The phone number as a phone dials it: digits, after a + if it starts with one.
        "+44 (0)20 0000 0000" is written for both callers abroad and at home; the (0) is
        dialled only at home, so it goes when there is a country code."""
        phone = self.phone.strip()
        if phone.startswith("+"):
            phone = phone.replace("(0)", "")
        digits = "".join(char for char in phone if char.isascii() and char.isdigit())
        return f"+{digits}" if phone.startswith("+") and digits else digits

    @property
    def tel(self) -> str:
        """A tel: link to the phone number ("" without one)."""
        return f"tel:{self.dial}" if self.dial else ""


@dataclass(frozen=True)
class Faq:
    """A validated FAQ, ready to index. Immutable, so a reload swaps it whole."""

    source: str
    disclaimer: str
    fallback: str
    urgent_reply: str
    urgent_triggers: tuple[str, ...]
    # Phrases that tell a trigger as history ("two years ago"), and phrases that make it current
    # again ("and now", "today"): see `Matcher._is_urgent`.
    urgent_past: tuple[str, ...]
    urgent_current: tuple[str, ...]
    urgent_classes: Mapping[str, tuple[str, ...]]
    smalltalk: tuple[Smalltalk, ...]
    synonyms: Mapping[str, tuple[str, ...]]
    not_covered: tuple[str, ...]
    entries: tuple[Entry, ...]
    # Each not-covered phrase of a group that has a `no` line, with that line (holding
    # `{phrase}`): a message declined for naming the phrase gets it (see bot.replies).
    not_covered_no: Mapping[str, str] = field(default_factory=dict)
    # The line each not-covered phrase is written on (its first, if listed twice), so that
    # `faq-bot check` and /reload can say which line hides an entry (bot.lint). Where a phrase
    # sits is no content: a reload that only moves it changes nothing.
    not_covered_at: Mapping[str, int] = field(default_factory=dict, compare=False)
    # The topic each not-covered phrase names: its group's name, or the phrase itself in a flat
    # list or a group's `topics`. A group of phrases is one topic, and an entry whose question or
    # alternate uses one of its phrases covers the topic, so the whole group stops counting
    # (bot.coverage).
    not_covered_group: Mapping[str, str] = field(default_factory=dict)
    # The notes per language code (NOTE_LANGUAGES): the built-in ones (bot/data/languages.yaml),
    # a language the file's `languages:` names with its notes instead. Empty only in a Faq made
    # in code: then a message in another language gets the English reply.
    languages: Mapping[str, LanguageNotes] = field(default_factory=dict)
    # `practice:`, the practice's phone, email, links, hours and address; None without the
    # section (or with nothing in it): then no reply names any and /contact says so.
    practice: Practice | None = None
    # What is worth fixing in a file that works as it is (a phrase listed twice): `faq-bot
    # check` and /reload show these; they never stop a file from loading.
    warnings: tuple[Problem, ...] = field(default=(), compare=False)
    _by_id: Mapping[str, Entry] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {entry.id: entry for entry in self.entries})

    def get(self, entry_id: str) -> Entry | None:
        """The entry with this id, or None (for example a stale button after a reload)."""
        return self._by_id.get(entry_id)

    def related_entries(self, entry: Entry) -> list[Entry]:
        """The entries an entry lists as related, in its order (the loader checks the ids)."""
        return [found for entry_id in entry.related if (found := self.get(entry_id)) is not None]

    def urgent_phrases(self) -> list[str]:
        """Every urgent trigger with its word classes spelt out, in file order."""
        return [
            phrase for trigger in self.urgent_triggers
            for phrase in expand_classes(trigger, self.urgent_classes)
        ]

    def urgent_words(self) -> list[str]:
        """The triggers' own words and their classes' phrases, each written once."""
        return [
            *(URGENT_CLASS.sub(" ", trigger) for trigger in self.urgent_triggers),
            *(phrase for phrases in self.urgent_classes.values() for phrase in phrases),
        ]

    def topics(self) -> dict[str, list[Entry]]:
        """Entries grouped by topic, in file order."""
        grouped: dict[str, list[Entry]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.topic, []).append(entry)
        return grouped

    def conditions_topic(self) -> str | None:
        """The first topic about conditions: /conditions without a `conditions` entry."""
        return next((name for name in self.topics() if "condition" in name.lower()), None)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a FAQ file, located precisely enough to fix without reading code."""

    source: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        label = f" {self.field}:" if self.field else ""
        return f"{where}:{label} {self.message}"


class FaqError(Exception):
    """A FAQ file that cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


class BuiltinDataError(RuntimeError):
    """The bot's own data (bot/data/*.yaml) is broken: a bug in the bot, not in faq.yaml."""


def expand_classes(trigger: str, classes: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The trigger once for every choice of a phrase from each word class it names; a class
    it names that `classes` lacks is left as written (the loader reports it)."""
    pieces = URGENT_CLASS.split(trigger)  # text, class name, text, class name, ..., text
    choices = [
        [piece] if index % 2 == 0 else list(classes.get(piece, (f"<{piece}>",)))
        for index, piece in enumerate(pieces)
    ]
    return ["".join(choice) for choice in product(*choices)]


def count_expansion(trigger: str, classes: Mapping[str, tuple[str, ...]]) -> int:
    """How many phrases `expand_classes` would make of the trigger, without making them."""
    return math.prod(len(classes.get(name, ("",))) for name in URGENT_CLASS.findall(trigger))


def bundled_faq_path() -> Path:
    """The faq.yaml shipped with the bot: inside the installed wheel, or at a checkout's root."""
    packaged = Path(str(resources.files("bot") / "faq.yaml"))
    if packaged.is_file():
        return packaged
    return Path(__file__).resolve().parent.parent / "faq.yaml"


def resolve_faq_path(explicit: str | None, env: Mapping[str, str]) -> Path:
    """`--faq`, else FAQ_PATH, else ./faq.yaml, else the bundled file."""
    if explicit:
        return Path(explicit)
    if env.get("FAQ_PATH"):
        return Path(env["FAQ_PATH"])
    local = Path("faq.yaml")
    return local if local.is_file() else bundled_faq_path()


def load_faq(path: str | Path) -> Faq:
    """Read and validate a FAQ file; raise FaqError listing every problem."""
    return faq_from_bytes(read_faq_file(path), str(path))


def read_faq_file(path: str | Path) -> bytes:
    """The file's bytes; raise FaqError (one line naming the file) if it cannot be read."""
    source = str(path)
    try:
        with Path(path).open("rb") as file:
            # at most one byte past the limit: a file that grows, or never ends, costs no more
            data = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise FaqError([Problem(source, 0, "", "file not found")]) from None
    except OSError as exc:
        raise FaqError([Problem(source, 0, "", f"cannot read: {exc.strerror}")]) from None
    _check_size(len(data), source)
    return data


def _check_size(size: int, source: str) -> None:
    if size > MAX_FILE_BYTES:
        raise FaqError([Problem(
            source, 0, "",
            f"the file is too big: over {MAX_FILE_BYTES // (1024 * 1024)} MB (at most"
            f" {MAX_FILE_BYTES:,} bytes); a FAQ of {MAX_ENTRIES:,} entries fits in less",
        )])


def faq_from_bytes(data: bytes, source: str) -> Faq:
    """Validate the bytes of a FAQ file already read (`source` names it in errors): the reload
    validates exactly the bytes it has seen hold still (bot.live), not a later read."""
    _check_size(len(data), source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 text: byte 0x{data[exc.start]:02x} ({exc.reason}); save as UTF-8"
        raise FaqError([Problem(source, line, "", message)]) from None
    return parse_faq(text, source)


def parse_faq(text: str, source: str = "<faq>") -> Faq:
    """Validate FAQ text (the contents of a faq.yaml) and build the model."""
    _check_size(len(text.encode("utf-8", "surrogatepass")), source)
    try:
        _check_shape(text, source)
        root = yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.MarkedYAMLError as exc:
        # the admin gets the slip in plain words, at the line to change (bot.yaml_errors)
        slip = yaml_errors.explain(exc, text, _Validator.known_keys(), SAFE_LOADER)
        raise FaqError([Problem(source, slip.line, "", slip.message)]) from None
    except yaml.reader.ReaderError as exc:
        slip = yaml_errors.explain_unreadable(exc, text)
        raise FaqError([Problem(source, slip.line, "", slip.message)]) from None
    except yaml.YAMLError as exc:
        raise FaqError([Problem(source, 0, "", f"YAML error: {exc}")]) from None
    return _Validator(source).build(root, builtin_data())


def _check_shape(text: str, source: str) -> None:
    """Read the file's YAML events (a stream: nothing is built) and raise FaqError at the first
    alias or anchor, at nesting deeper than MAX_DEPTH, or once there are more than MAX_NODES
    nodes: composing what is left costs at most MAX_NODES nodes."""
    depth = nodes = 0
    for event in yaml.parse(text, Loader=SAFE_LOADER):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            name = getattr(event, "anchor", None) or ""
            raise FaqError([Problem(
                source, line, "",
                f"YAML anchors and aliases (&{name}, *{name}) are not allowed in a FAQ file:"
                " write the text out where it is used",
            )])
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise FaqError([Problem(
                    source, line, "",
                    f"nested too deep: more than {MAX_DEPTH} lists and mappings inside each"
                    " other (a FAQ file needs 5)",
                )])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if isinstance(event, yaml.NodeEvent) and not isinstance(event, yaml.AliasEvent):
            nodes += 1
            if nodes > MAX_NODES:
                raise FaqError([Problem(
                    source, line, "",
                    f"too much in one file: over {MAX_NODES:,} texts, lists and mappings"
                    f" (a FAQ of {MAX_ENTRIES:,} entries needs fewer)",
                )])


@dataclass(frozen=True)
class _Urgent:
    """The `urgent` section as read, before it is spread over the Faq's fields."""

    reply: str
    triggers: tuple[str, ...]
    past: tuple[str, ...]
    current: tuple[str, ...]
    classes: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class _Builtin:
    """The bot's own urgent, smalltalk, synonyms and languages sections, which every faq.yaml
    extends."""

    urgent: _Urgent
    smalltalk: tuple[Smalltalk, ...]
    synonyms: Mapping[str, tuple[str, ...]]
    languages: Mapping[str, LanguageNotes]
    # A phrase listed twice: harmless, so it never stops the bot (a test keeps them out).
    warnings: tuple[Problem, ...] = ()


@cache
def builtin_data() -> _Builtin:
    """bot/data/{urgent,smalltalk,synonyms,languages}.yaml, read and validated once per process.

    Each file holds one section laid out as in a faq.yaml (`urgent:` ...), with every part a
    faq.yaml may leave out required. A mistake raises BuiltinDataError: it is a bug in the bot,
    and the bot must not run without its urgent-care triage.
    """
    validators = {name: _Validator(f"bot/data/{name}.yaml") for name in BUILTIN_SECTIONS}
    nodes = {name: _builtin_section(validators[name], name) for name in BUILTIN_SECTIONS}
    data = _Builtin(
        urgent=validators["urgent"].urgent(nodes["urgent"], None),
        smalltalk=validators["smalltalk"].smalltalk(nodes["smalltalk"], None),
        synonyms=validators["synonyms"].synonyms(nodes["synonyms"], None),
        languages=validators["languages"].languages(nodes["languages"]),
        warnings=tuple(w for validator in validators.values() for w in validator.warnings),
    )
    problems = [problem for validator in validators.values() for problem in validator.problems]
    if problems:
        raise BuiltinDataError(
            "the bot's built-in data is broken (a bug in the bot, not in faq.yaml):\n"
            + "\n".join(str(problem) for problem in problems)
        )
    return data


def _builtin_section(validator: _Validator, name: str) -> yaml.Node | None:
    """The node of the one section bot/data/<name>.yaml holds; problems go to the validator."""
    try:
        root = yaml.compose(_builtin_text(name), Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        raise BuiltinDataError(
            f"{validator.source}: YAML error (a bug in the bot, not in faq.yaml): {exc}"
        ) from None
    if root is None:
        validator.problem(None, "", "the file is empty")
        return None
    top = validator.mapping(root, "", frozenset({name}))
    if name not in top:
        validator.problem(root, name, "missing (required)")
    return top.get(name)


def _builtin_text(name: str) -> str:
    """bot/data/<name>.yaml, package data: inside the installed wheel or the checkout."""
    return resources.files("bot").joinpath(f"data/{name}.yaml").read_text(encoding="utf-8")


def _key(text: str) -> str:
    """A phrase as compared for repeats: case and spacing do not count, nor the order of an
    urgent trigger's parts ("numb & both legs" is "both legs & numb": parts match in any
    order, and the second would spell out every phrase of the first again)."""
    parts = (" ".join(part.casefold().split()) for part in text.split("&"))
    return " & ".join(sorted(parts))


def _extended(base: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    """`base`, then each phrase of `more` that is not already there."""
    seen = {_key(text) for text in base}
    added = []
    for text in more:
        if _key(text) not in seen:
            seen.add(_key(text))
            added.append(text)
    return (*base, *added)


def _extended_map(
    base: Mapping[str, tuple[str, ...]], more: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """A new map: `base`'s names, each with `more`'s phrases for it added, then `more`'s own."""
    merged = dict(base)
    for name, phrases in more.items():
        merged[name] = _extended(merged.get(name, ()), phrases)
    return merged


class _Validator:
    """Walks the composed YAML nodes, collecting problems, and builds the Faq if there are none."""

    TOP_KEYS: ClassVar[frozenset[str]] = frozenset({
        "version", "disclaimer", "fallback", "urgent", "smalltalk", "synonyms", "not_covered",
        "topics", "languages", "practice", "entries",
    })
    URGENT_KEYS: ClassVar[frozenset[str]] = frozenset(
        {"reply", "triggers", "past", "current", "classes"}
    )
    ENTRY_KEYS: ClassVar[frozenset[str]] = frozenset(
        {"id", "topic", "question", "lead", "answer", "alternates", "keywords", "related"}
    )
    NOT_COVERED_GROUP_KEYS: ClassVar[frozenset[str]] = frozenset(
        {"reply", "phrases", "topics"}
    )
    TOPIC_KEYS: ClassVar[frozenset[str]] = frozenset({"lead"})
    LANGUAGE_KEYS: ClassVar[frozenset[str]] = frozenset({"answer_note", "english_only"})
    PRACTICE_KEYS: ClassVar[frozenset[str]] = frozenset(PRACTICE_KEYS)

    @classmethod
    def known_keys(cls) -> frozenset[str]:
        """Every key the format knows, in any section: a line starting with one that YAML read
        as text is a key indented wrongly, not text (bot.yaml_errors)."""
        return frozenset().union(*(
            value for name, value in vars(cls).items()
            if name.endswith("_KEYS") and isinstance(value, frozenset)
        ))

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.not_covered_at: dict[str, int] = {}  # phrase -> its line, filled by not_covered
        self.not_covered_group: dict[str, str] = {}  # phrase -> its group, filled by not_covered
        self._constructor = yaml.constructor.SafeConstructor()
        self._related_at: dict[str, tuple[int, str]] = {}  # entry id -> (line, field) of related

    def problem(self, node: yaml.Node | None, where: str, message: str) -> None:
        line = node.start_mark.line + 1 if node is not None else 0
        self.problems.append(Problem(self.source, line, where, message))

    # -- generic node readers -------------------------------------------------------------

    def construct(self, node: yaml.Node, where: str) -> Any:
        """A scalar's value; a tag the safe constructor refuses (like !!python/object) is a
        problem on its line, never a traceback."""
        try:
            return self._constructor.construct_object(node)
        except yaml.YAMLError as exc:
            problem = getattr(exc, "problem", None) or "cannot be read"
            self.problem(node, where, f"unsupported YAML value: {problem}")
            return _INVALID

    def mapping(
        self, node: yaml.Node, where: str, allowed: frozenset[str] | None,
    ) -> dict[str, yaml.Node]:
        """The keys of a mapping node; `allowed=None` accepts any key (user-named maps)."""
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, where, f"must be a mapping of keys to values, not {_kind(node)}")
            return {}
        result: dict[str, yaml.Node] = {}
        key_lines: dict[str, int] = {}  # where each key was first written
        for key_node, value_node in node.value:
            key = self.construct(key_node, where)
            if not isinstance(key, str):
                self.problem(key_node, where, f"keys must be text, not {key!r}")
                continue
            line = key_node.start_mark.line + 1
            if key in key_lines:
                # YAML itself would keep the last one silently; naming both lines shows the
                # admin which edit would have been lost
                first_key = next(iter(key_lines))
                self.problem(key_node, _join(where, key), yaml_errors.duplicate_key(
                    key, where, key_lines[key], line, first_key
                ))
                continue
            key_lines[key] = line
            if allowed is not None and key not in allowed:
                known = ", ".join(sorted(allowed))
                self.problem(key_node, _join(where, key), f"unknown key (known keys: {known})")
                continue
            result[key] = value_node
        return result

    def text(self, node: yaml.Node | None, where: str, parent: yaml.Node) -> str:
        if node is None:
            self.problem(parent, where, "missing (required)")
            return ""
        if not isinstance(node, yaml.ScalarNode):
            # `- Note: bring a towel` is valid YAML, a mapping: say which colon did it
            hint = yaml_errors.colon_in_text(node)
            self.problem(node, where, f"must be text, not {_kind(node)}{hint}")
            return ""
        value = self.construct(node, where)
        if value is _INVALID:
            return ""
        if value is None:
            self.problem(node, where, "must not be empty")
            return ""
        if not isinstance(value, str):
            self.problem(node, where, f"must be text, not {type(value).__name__} {value!r}")
            return ""
        value = value.strip()
        if not value:
            self.problem(node, where, "must not be empty")
        elif len(value) > MAX_TEXT_CHARS:
            self.problem(
                node, where,
                f"too long: {len(value):,} characters (at most {MAX_TEXT_CHARS:,} in one text)",
            )
            return ""
        return value

    def text_list(
        self, node: yaml.Node | None, where: str,
        check: Callable[[yaml.Node, str, str], None] | None = None,
        seen: dict[str, int] | None = None,
    ) -> tuple[str, ...]:
        """The list's non-empty texts; `check(item_node, where, text)` vets each one.

        A text already in the list, or in `seen` (phrase -> line, shared by the lists that
        phrase the same thing, like an entry's alternates and keywords), is a warning.
        """
        seen = {} if seen is None else seen
        if node is None:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, where, f"must be a list, not {_kind(node)}")
            return ()
        texts = []
        for index, child in enumerate(node.value):
            item_where = f"{where}[{index}]"
            if item := self.text(child, item_where, node):
                if check is not None:
                    check(child, item_where, item)
                self.once(seen, child, item_where, item)
                texts.append(item)
        return tuple(texts)

    def not_covered(self, node: yaml.Node | None) -> tuple[tuple[str, ...], dict[str, str]]:
        """A list of topics, or named groups: each a list of one topic's phrases
        (`prices: [price, cost]`), or a mapping of an optional `reply` line (the clear no) and
        either `phrases` (one topic) or `topics` (a list of topics, each its own:
        `{reply: "{phrase} isn't on our list.", topics: [gout, psoriasis]}`).
        Returns every phrase, and the phrases of groups with a `no` line, each with it; each
        phrase's topic (its group's name, or itself) is kept in `not_covered_group`."""
        seen: dict[str, int] = {}  # folded phrase -> line, kept in `not_covered_at`
        if not isinstance(node, yaml.MappingNode):
            listed = self.text_list(node, "not_covered", seen=seen)
            self.not_covered_at = {phrase: seen[_key(phrase)] for phrase in listed}
            self.not_covered_group = {phrase: phrase for phrase in listed}
            return listed, {}
        phrases: list[str] = []
        no_lines: dict[str, str] = {}
        for name, group in self.mapping(node, "not_covered", None).items():
            where = f"not_covered.{name}"
            if not isinstance(group, yaml.MappingNode):
                listed = self.text_list(group, where, seen=seen)
                phrases.extend(listed)
                self.not_covered_group.update(
                    # questions taught one at a time, each a topic of its own
                    {phrase: phrase for phrase in listed} if name == TAUGHT_GROUP
                    else dict.fromkeys(listed, name)
                )
                continue
            fields = self.mapping(group, where, self.NOT_COVERED_GROUP_KEYS)
            no = self.no_line(fields.get("reply"), f"{where}.reply", group)
            if "phrases" in fields and "topics" in fields:
                self.problem(
                    fields["topics"], f"{where}.topics",
                    "a group has phrases (of one topic) or topics (each its own), not both",
                )
            key = "topics" if "topics" in fields else "phrases"
            listed = self.text_list(fields.get(key), f"{where}.{key}", seen=seen)
            if key not in fields:
                self.problem(
                    group, f"{where}.phrases",
                    "missing (required: the list of phrases, or `topics:` for a list of topics)",
                )
            elif not listed:
                self.problem(fields[key], f"{where}.{key}", f"must list at least one {key[:-1]}")
            phrases.extend(listed)
            # A list of topics: an entry that asks about one covers that one only ("Can
            # massage help asthma?" is no answer to psoriasis).
            self.not_covered_group.update(
                {phrase: phrase for phrase in listed} if key == "topics"
                else dict.fromkeys(listed, name)
            )
            for phrase in listed:
                if no:
                    no_lines.setdefault(phrase, no)
        self.not_covered_at = {phrase: seen[_key(phrase)] for phrase in phrases}
        return tuple(phrases), no_lines

    def no_line(self, node: yaml.Node | None, where: str, group: yaml.Node) -> str:
        """A not-covered group's `no` line: optional, and with {phrase} where the phrase goes."""
        if node is None:
            return ""
        if isinstance(node, yaml.MappingNode):
            self.problem(
                node, where,
                'must be text, not a mapping: a line starting with "{" needs "double quotes",'
                f' like reply: "{PHRASE_SLOT} isn\'t on our list of treated conditions."',
            )
            return ""
        line = self.text(node, where, group)
        if line and PHRASE_SLOT not in line:
            self.problem(
                node, where,
                f"must contain {PHRASE_SLOT}, where the phrase the person named goes, like"
                f' "{PHRASE_SLOT} isn\'t on our list of treated conditions."',
            )
            return ""
        return line

    def topics(self, node: yaml.Node | None) -> dict[str, tuple[str, yaml.Node]]:
        """`topics:`, each topic's settings by its name (as entries spell it): its `lead`, for
        the entries of that topic without their own. Returns each lead with its node."""
        if node is None:
            return {}
        leads = {}
        for name, settings in self.mapping(node, "topics", None).items():
            where = f"topics.{name}"
            fields = self.mapping(settings, where, self.TOPIC_KEYS)
            if "lead" in fields and (lead := self.text(fields["lead"], f"{where}.lead", settings)):
                leads[name] = (lead, settings)
        return leads

    def languages(self, node: yaml.Node | None) -> dict[str, LanguageNotes]:
        """`languages:`, per language code (NOTE_LANGUAGES) its two one-line notes, both
        required: `answer_note` and `english_only`."""
        if node is None:
            return {}
        notes = {}
        known = ", ".join(NOTE_LANGUAGES)
        for code, texts in self.mapping(node, "languages", None).items():
            where = f"languages.{code}"
            if code not in NOTE_LANGUAGES:
                # the key's own line is not kept by `mapping`; its value starts on the next
                self.problem(
                    texts, where,
                    f"unknown language code {code!r}: the bot detects only {known}"
                    " (English needs no note)",
                )
                continue
            fields = self.mapping(texts, where, self.LANGUAGE_KEYS)
            if not fields and not isinstance(texts, yaml.MappingNode):
                continue  # reported by `mapping`
            lines = [self.note_line(fields.get(key), f"{where}.{key}", texts)
                     for key in ("answer_note", "english_only")]
            if all(lines):
                notes[code] = LanguageNotes(answer_note=lines[0], english_only=lines[1])
        return notes

    def note_line(self, node: yaml.Node | None, where: str, parent: yaml.Node) -> str:
        """A language note: required text on one line (it is sent as one line of a reply)."""
        line = self.text(node, where, parent)
        if "\n" in line:
            self.problem(node, where, "must be one line (it is sent as one line of a reply)")
            return ""
        return line

    def practice(self, node: yaml.Node | None) -> Practice | None:
        """`practice:`, the practice's details (PRACTICE_KEYS), each optional. None without the
        section, or when every detail is left blank: there is nothing to show."""
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
            return None  # absent, or `practice:` with everything under it commented out
        fields = self.mapping(node, "practice", self.PRACTICE_KEYS)
        details = {
            key: self.practice_detail(key, fields[key], node)
            for key in PRACTICE_KEYS if key in fields
        }
        details = {key: value for key, value in details.items() if value}
        return Practice(**details) if details else None

    def practice_detail(self, key: str, node: yaml.Node, parent: yaml.Node) -> str:
        """One detail, checked for what it is used as; "" when left blank or wrong (reported).

        Blank (`phone:` and nothing) means not given: an admin filling in the example section
        leaves the details the practice has none of. Anything else must be usable as it is, as
        it goes into replies and buttons, where Telegram refuses a malformed link outright."""
        where = f"practice.{key}"
        example = f'{key}: "{PRACTICE_EXAMPLES[key]}"'
        if isinstance(node, yaml.ScalarNode):
            value = self.construct(node, where)
            if value is _INVALID:
                return ""
            if value is None or (isinstance(value, str) and not value.strip()):
                return ""
            if not isinstance(value, str):
                # `phone: +442000000000` unquoted is read as a number, losing the + and any 0
                # in front: quoting keeps it as written.
                self.problem(
                    node, where,
                    f"must be text, not {type(value).__name__} {value!r}: put it in double"
                    f" quotes, like {example}",
                )
                return ""
        value = self.text(node, where, parent)
        if not value:
            return ""
        if key in PRACTICE_MULTILINE:
            value = "\n".join(line.strip() for line in value.splitlines() if line.strip())
            limit = MAX_PRACTICE_BLOCK
        elif "\n" in value:
            self.problem(
                node, where,
                f"must be one line (only address and hours may have several), like {example}",
            )
            return ""
        else:
            limit = MAX_PRACTICE_LINE
        if len(value) > limit:
            self.problem(node, where, f"too long: {len(value):,} characters (at most {limit})")
            return ""
        problem = _practice_problem(key, value)
        if problem:
            self.problem(node, where, f"{value!r} {problem}, like {example}")
            return ""
        return value

    def once(self, seen: dict[str, int], node: yaml.Node, where: str, text: str) -> None:
        """Warn when `text` is already in `seen` (ignoring case and spacing), else add it."""
        key = _key(text)
        line = node.start_mark.line + 1
        if key in seen:
            self.warnings.append(Problem(
                self.source, line, where,
                f"{text!r} is listed twice (also on line {seen[key]}); one is enough",
            ))
        else:
            seen[key] = line

    # -- the document ---------------------------------------------------------------------

    def build(self, root: yaml.Node | None, builtin: _Builtin) -> Faq:
        """The Faq of a faq.yaml's root node, its sections added to the `builtin` ones."""
        if root is None:
            raise FaqError([Problem(self.source, 0, "", "the file is empty")])
        top = self.mapping(root, "", self.TOP_KEYS)
        disclaimer = self.text(top.get("disclaimer"), "disclaimer", root)
        fallback = (
            self.text(top["fallback"], "fallback", root) if "fallback" in top
            else DEFAULT_FALLBACK
        )
        urgent = self.urgent(top.get("urgent"), builtin.urgent)
        smalltalk = self.smalltalk(top.get("smalltalk"), builtin.smalltalk)
        synonyms = self.synonyms(top.get("synonyms"), builtin.synonyms)
        not_covered, not_covered_no = self.not_covered(top.get("not_covered"))
        topic_leads = self.topics(top.get("topics"))
        # a language the file names gets its notes instead of the built-in ones
        languages = {**builtin.languages, **self.languages(top.get("languages"))}
        practice = self.practice(top.get("practice"))
        entries = self.entries(top.get("entries"), root)
        used = {entry.topic for entry in entries}
        for name, (_, node) in topic_leads.items():
            if name not in used:
                self.warnings.append(Problem(
                    self.source, node.start_mark.line + 1, f"topics.{name}",
                    "no entry has this topic, so its lead is never shown (topics: "
                    + ", ".join(repr(topic) for topic in dict.fromkeys(e.topic for e in entries))
                    + ")",
                ))
        # an entry's own lead wins over its topic's
        entries = tuple(
            replace(entry, lead=topic_leads[entry.topic][0])
            if not entry.lead and entry.topic in topic_leads else entry
            for entry in entries
        )
        if self.problems:
            raise FaqError(self.problems)
        return Faq(
            source=self.source,
            disclaimer=disclaimer,
            fallback=fallback,
            urgent_reply=urgent.reply,
            urgent_triggers=urgent.triggers,
            urgent_past=urgent.past,
            urgent_current=urgent.current,
            urgent_classes=urgent.classes,
            smalltalk=smalltalk,
            synonyms=synonyms,
            not_covered=not_covered,
            entries=entries,
            not_covered_no=not_covered_no,
            not_covered_at=self.not_covered_at,
            not_covered_group=self.not_covered_group,
            languages=languages,
            practice=practice,
            warnings=tuple(self.warnings),
        )

    def urgent(self, node: yaml.Node | None, base: _Urgent | None) -> _Urgent:
        """The section added to `base` (a faq.yaml's: every part optional, it only adds and
        may change the reply), or with `base` None the built-in section (reply and triggers
        required)."""
        if node is None:
            if base is None:
                return _Urgent("", (), (), (), {})  # the missing section is reported already
            return _Urgent(base.reply, base.triggers, base.past, base.current, dict(base.classes))
        fields = self.mapping(node, "urgent", self.URGENT_KEYS)
        if base is None or "reply" in fields:
            reply = self.text(fields.get("reply"), "urgent.reply", node)
        else:
            reply = base.reply
        own_classes = self.urgent_classes(fields.get("classes"))
        classes = own_classes if base is None else _extended_map(base.classes, own_classes)

        def check(item: yaml.Node, where: str, trigger: str) -> None:
            self.urgent_trigger(item, where, trigger, classes)
            counted[trigger] = (item, where)

        counted: dict[str, tuple[yaml.Node, str]] = {}
        triggers = self.text_list(fields.get("triggers"), "urgent.triggers", check=check)
        if not triggers and "triggers" in fields:
            self.problem(fields["triggers"], "urgent.triggers", "must list at least one phrase")
        elif "triggers" not in fields and base is None:
            self.problem(node, "urgent.triggers", "missing (required)")
        past = self.text_list(fields.get("past"), "urgent.past")
        if base is not None and past:
            # A history phrase makes triggers near it not urgent: an admin's file may only make
            # urgent care catch more, never less.
            self.problem(
                fields["past"], "urgent.past",
                "the bot's own history phrases cannot be added to here, as a loose one would"
                " stop real emergencies reaching urgent care; remove this list",
            )
        current = self.text_list(fields.get("current"), "urgent.current")
        if base is None:
            self.urgent_total(node, triggers, classes, counted, fields.get("classes"))
            return _Urgent(reply, triggers, past, current, classes)
        all_triggers = _extended(base.triggers, triggers)
        self.urgent_total(node, all_triggers, classes, counted, fields.get("classes"))
        return _Urgent(
            reply,
            all_triggers,
            _extended(base.past, past),
            _extended(base.current, current),
            classes,
        )

    def urgent_total(
        self, node: yaml.Node, triggers: tuple[str, ...],
        classes: Mapping[str, tuple[str, ...]], own: Mapping[str, tuple[yaml.Node, str]],
        classes_node: yaml.Node | None,
    ) -> None:
        """All triggers spelt out must stay within MAX_URGENT_PHRASES; counted, not built.
        The problem names the file's own trigger that makes the most, else its classes (which
        grow the built-in triggers that use them)."""
        counts = {trigger: count_expansion(trigger, classes) for trigger in triggers}
        total = sum(counts.values())
        if total <= MAX_URGENT_PHRASES or max(counts.values()) > MAX_URGENT_PER_TRIGGER:
            return  # within bounds, or one trigger is over its own (reported already)
        builtin = sum(count for trigger, count in counts.items() if trigger not in own)
        message = (
            f"urgent triggers spelt out with their word classes make {total:,} phrases in all"
            f" (at most {MAX_URGENT_PHRASES:,}; the built-in ones make {builtin:,})"
        )
        if own:
            biggest = max(own, key=lambda trigger: counts.get(trigger, 0))
            item, where = own[biggest]
            self.problem(
                item, where, f"{biggest!r} makes {counts.get(biggest, 0):,}; {message}"
            )
        else:
            self.problem(classes_node or node, "urgent.classes", message)

    def urgent_classes(self, node: yaml.Node | None) -> dict[str, tuple[str, ...]]:
        if node is None:
            return {}
        classes = {}
        for name, phrases in self.mapping(node, "urgent.classes", None).items():
            where = f"urgent.classes.{name}"
            if not URGENT_CLASS.fullmatch(f"<{name}>"):
                self.problem(phrases, where, "a class name is lowercase letters, digits and _")
            elif listed := self.text_list(phrases, where):
                classes[name] = listed
            else:
                self.problem(phrases, where, "must list at least one phrase")
        return classes

    def urgent_trigger(
        self, node: yaml.Node, where: str, trigger: str, classes: Mapping[str, tuple[str, ...]]
    ) -> None:
        for name in URGENT_CLASS.findall(trigger):
            if name not in classes:
                self.problem(node, where, f"{trigger!r}: no word class <{name}> in urgent.classes")
        count = count_expansion(trigger, classes)
        if count > MAX_URGENT_PER_TRIGGER:
            sizes = " x ".join(
                f"{len(classes[name])} <{name}>" for name in URGENT_CLASS.findall(trigger)
                if name in classes
            )
            self.problem(
                node, where,
                f"{trigger!r} stands for {count:,} phrases ({sizes}); one trigger may stand"
                f" for at most {MAX_URGENT_PER_TRIGGER:,}: split it, or use smaller classes",
            )
        if any(not words(part) for part in trigger.split(URGENT_AND)):
            self.problem(
                node, where,
                f"{trigger!r}: each part joined by '{URGENT_AND}' needs at least one word",
            )

    def smalltalk(
        self, node: yaml.Node | None, base: tuple[Smalltalk, ...] | None
    ) -> tuple[Smalltalk, ...]:
        """The kinds of small talk: `base`'s, with a kind of the same name here giving its
        reply (if it has one) and adding its triggers, then the new kinds named here."""
        kinds = list(base or ())
        if node is None:
            return tuple(kinds)
        position = {kind.name: index for index, kind in enumerate(kinds)}
        for name, kind_node in self.mapping(node, "smalltalk", None).items():
            where = f"smalltalk.{name}"
            fields = self.mapping(kind_node, where, frozenset({"reply", "triggers"}))
            known = kinds[position[name]] if name in position else None
            if known is None or "reply" in fields:
                reply = self.text(fields.get("reply"), f"{where}.reply", kind_node)
            else:
                reply = known.reply
            triggers = self.text_list(fields.get("triggers"), f"{where}.triggers")
            if not triggers and (known is None or "triggers" in fields):
                self.problem(kind_node, f"{where}.triggers", "must list at least one phrase")
            if known is None:
                position[name] = len(kinds)
                kinds.append(Smalltalk(name=name, reply=reply, triggers=triggers))
            else:
                kinds[position[name]] = Smalltalk(
                    name=name, reply=reply, triggers=_extended(known.triggers, triggers)
                )
        return tuple(kinds)

    def synonyms(
        self, node: yaml.Node | None, base: Mapping[str, tuple[str, ...]] | None
    ) -> dict[str, tuple[str, ...]]:
        """`base`'s words, each with the variants listed for it here added, then new words."""
        if node is None:
            return dict(base or {})
        words = self.mapping(node, "synonyms", None)
        result = {}
        for word, variants_node in words.items():
            seen: dict[str, int] = {}  # the word itself counts as listed: a variant repeating it
            self.once(seen, variants_node, f"synonyms.{word}", word)
            variants = self.text_list(variants_node, f"synonyms.{word}", seen=seen)
            for index, variant in enumerate((word, *variants)):
                if len(variant.split()) != 1:
                    where = f"synonyms.{word}" + (f"[{index - 1}]" if index else "")
                    self.problem(variants_node, where, f"{variant!r}: synonyms are single words")
            result[word] = variants
        return result if base is None else _extended_map(base, result)

    def entries(self, node: yaml.Node | None, root: yaml.Node) -> tuple[Entry, ...]:
        if node is None:
            self.problem(root, "entries", "missing (required: the list of questions and answers)")
            return ()
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.problem(node, "entries", "must be a non-empty list of entries")
            return ()
        if len(node.value) > MAX_ENTRIES:
            self.problem(
                node, "entries",
                f"too many entries: {len(node.value):,} (at most {MAX_ENTRIES:,})",
            )
            return ()
        entries: list[Entry] = []
        first_line: dict[str, int] = {}
        for index, entry_node in enumerate(node.value):
            entry = self.entry(entry_node, f"entries[{index}]")
            if entry is None:
                continue
            if entry.id in first_line:
                self.problem(
                    entry_node,
                    f"entries[{index}].id",
                    f"duplicate id {entry.id!r} (first used on line {first_line[entry.id]})",
                )
                continue
            first_line[entry.id] = entry.line
            entries.append(entry)
        phrasings = sum(len(entry.phrasings) for entry in entries)
        if phrasings > MAX_PHRASINGS:
            self.problem(
                node, "entries",
                f"too many phrasings: {phrasings:,} questions, alternates and keywords in all"
                f" (at most {MAX_PHRASINGS:,})",
            )
        for entry in entries:
            line, where = self._related_at.get(entry.id, (entry.line, f"{entry.id}.related"))
            for related in entry.related:
                if related == entry.id:
                    self.problems.append(Problem(self.source, line, where, "lists itself"))
                elif related not in first_line:
                    self.problems.append(
                        Problem(self.source, line, where, f"unknown entry id {related!r}")
                    )
        return tuple(entries)

    def entry(self, node: yaml.Node, where: str) -> Entry | None:
        fields = self.mapping(node, where, self.ENTRY_KEYS)
        if not fields and not isinstance(node, yaml.MappingNode):
            return None
        entry_id = self.text(fields.get("id"), f"{where}.id", node)
        if entry_id and not ID_PATTERN.match(entry_id):
            self.problem(
                fields["id"], f"{where}.id",
                f"{entry_id!r} must be lowercase letters, digits and dashes (like 'tennis-elbow')",
            )
        label = f"{where} ({entry_id})" if entry_id else where
        question = self.text(fields.get("question"), f"{label}.question", node)
        answer = self.text(fields.get("answer"), f"{label}.answer", node)
        topic = (
            self.text(fields["topic"], f"{label}.topic", node) if "topic" in fields
            else DEFAULT_TOPIC
        )
        lead = self.text(fields["lead"], f"{label}.lead", node) if "lead" in fields else ""
        # the question, alternates and keywords all phrase the entry: a repeat is one too many
        phrased: dict[str, int] = {}
        if question:
            self.once(phrased, fields["question"], f"{label}.question", question)
        alternates = self.text_list(
            fields.get("alternates"), f"{label}.alternates", seen=phrased
        )
        keywords = self.text_list(fields.get("keywords"), f"{label}.keywords", seen=phrased)
        related = self.text_list(fields.get("related"), f"{label}.related")
        phrasings = int(bool(question)) + len(alternates) + len(keywords)
        if phrasings > MAX_PHRASINGS_PER_ENTRY:
            self.problem(
                node, label,
                f"too many phrasings: {phrasings:,} (question, alternates and keywords; at most"
                f" {MAX_PHRASINGS_PER_ENTRY:,} in one entry)",
            )
        if "related" in fields:
            related_line = fields["related"].start_mark.line + 1
            self._related_at[entry_id] = (related_line, f"{label}.related")
        return Entry(
            id=entry_id,
            topic=topic,
            question=question,
            answer=answer,
            alternates=alternates,
            keywords=keywords,
            related=related,
            lead=lead,
            line=node.start_mark.line + 1,
        )


_INVALID = object()  # a scalar that could not be constructed (already reported)


def _practice_problem(key: str, value: str) -> str:
    """What is wrong with a practice detail as its kind ("is not a phone number: ..."), or ""."""
    if key == "phone":
        digits = len(Practice(phone=value).dial.lstrip("+"))
        if not PHONE_PATTERN.fullmatch(value):
            return (
                "is not a phone number: write digits, with + before the country code if you"
                " like, and spaces, dashes, dots or brackets between them"
            )
        if not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS:
            return (
                f"has {digits} digits: a phone number has {MIN_PHONE_DIGITS} to"
                f" {MAX_PHONE_DIGITS}"
            )
    elif key == "email" and not EMAIL_PATTERN.fullmatch(value):
        return "is not an email address (name@domain, without mailto: or spaces)"
    elif key in ("website", "booking_url"):
        return _web_link_problem(value)
    return ""


def _web_link_problem(value: str) -> str:
    """Why Telegram would refuse `value` as a button's link, or "": its buttons open only
    http(s) links to a named host."""
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
    except ValueError:  # an unclosed [ of an IPv6 address
        return "is not a web link: it needs a site's name after https:// and no spaces"
    if parts.scheme.lower() not in ("http", "https"):
        return "must be a web link starting with https:// (or http://)"
    if any(char.isspace() for char in value) or "." not in host.strip("."):
        return "is not a web link: it needs a site's name after https:// and no spaces"
    return ""


def _kind(node: yaml.Node | None) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.ScalarNode):
        try:
            value: Any = yaml.constructor.SafeConstructor().construct_object(node)
        except yaml.YAMLError:  # a tag the safe constructor refuses (`!x text`): no traceback
            return f"the tagged value {node.tag} {node.value!r}"
        return "empty" if value is None else f"{type(value).__name__} {value!r}"
    return "nothing"


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
