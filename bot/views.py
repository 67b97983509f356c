"""What the bot sends: escaped HTML message parts and inline keyboards, for every situation.

Pure functions of the FAQ and a match, no network, so every screen is unit-testable. Callback
data is kept far below Telegram's 64-byte limit by carrying entry ids, never text:

    a:<entry id>        answer this entry (a new message)
    A:<hash>            the same, for an id too long to fit (looked up by hash)
    p:<token>:<id>      a suggestion picked: answer it, and note the pick on the stored question
    P:<token>:<hash>    the same, for a long id (<token> is random, see bot.store.new_token)
    t                   send the topics menu as a new message (from the fallback reply)
    m                   show the topics menu in place (the "All topics" button)
    g:<topic>:<page>    show one page of a topic's questions in place (<topic> is a crc32)
    h:<token>           "Ask the practice": show the question held for hand-off, and ask to
                        confirm (<token> is random, see bot.handoff.PendingQuestions)
    hs:<token>          Send: post that question to the practice's staff chat (once)
    hc:<token>          Cancel it; "hc:" alone cancels the wait for a question after /ask

After a reload an id or topic may no longer exist; `resolve_entry` and `find_topic` return None
and the handler replies politely instead of failing.
"""

from __future__ import annotations

import hashlib
import html
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from telegram import (
    CopyTextButton,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
)
from telegram.constants import InlineKeyboardButtonLimit, ParseMode

from bot import reports
from bot.compound import Parts, not_covered_lines
from bot.context import More, more_text
from bot.faq import CONDITIONS_ID, Entry, Faq, Practice
from bot.grouping import Group
from bot.handoff import PENDING_SECONDS
from bot.language import ForeignReply
from bot.live import ReloadResult, Version
from bot.matcher import Match, Matcher, Status
from bot.replies import (
    CONTACT_NOT_SET_UP,
    SUGGEST_INTRO,
    Block,
    answer_blocks,
    before_suggestions,
    contact_blocks,
    practice_contacts,
    render_html,
    reply_blocks,
    signs_blocks,
)
from bot.store import Stats

CALLBACK_LIMIT = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64 bytes
PAGE_SIZE = 8
INLINE_RESULTS = 10
# A deep link's /start payload: at most 64 of these characters.
_START_PAYLOAD_LIMIT = 64


@dataclass(frozen=True)
class Reply:
    """One reply: HTML message parts (sent in order) and a keyboard for the last part."""

    parts: tuple[str, ...]
    keyboard: InlineKeyboardMarkup | None = None


def plain(text: str) -> Reply:
    """A reply of our own wording (already HTML)."""
    return Reply((text,))


# -- callback data --------------------------------------------------------------------------


def answer_data(entry_id: str) -> str:
    data = f"a:{entry_id}"
    if len(data.encode()) <= CALLBACK_LIMIT:
        return data
    return f"A:{_id_hash(entry_id)}"


def _id_hash(entry_id: str) -> str:
    return hashlib.sha256(entry_id.encode()).hexdigest()[:20]


def pick_data(token: str, entry_id: str) -> str:
    """A suggestion button: like answer_data, with the stored question's token."""
    for data in (f"p:{token}:{entry_id}", f"P:{token}:{_id_hash(entry_id)}"):
        if len(data.encode()) <= CALLBACK_LIMIT:
            return data
    return answer_data(entry_id)  # a token too long (never ours): the answer matters more


def parse_pick(data: str) -> tuple[str, str] | None:
    """(token, answer data for resolve_entry) of a p:/P: button, or None if it is not one."""
    kind, _, rest = data.partition(":")
    token, _, key = rest.partition(":")
    if kind not in _PICK_KINDS or not token or not key:
        return None
    return token, f"{_PICK_KINDS[kind]}:{key}"


_PICK_KINDS = {"p": "a", "P": "A"}


def resolve_entry(faq: Faq, data: str) -> Entry | None:
    """The entry an a:/A: button points at in this FAQ, or None if it is gone."""
    kind, _, key = data.partition(":")
    if kind == "a":
        return faq.get(key)
    if kind == "A":
        return next((entry for entry in faq.entries if _id_hash(entry.id) == key), None)
    return None


def topic_key(topic: str) -> str:
    return f"{zlib.crc32(topic.encode()):08x}"


def find_topic(faq: Faq, key: str) -> str | None:
    return next((topic for topic in faq.topics() if topic_key(topic) == key), None)


def topic_data(topic: str, page: int = 0) -> str:
    return f"g:{topic_key(topic)}:{page}"


# -- keyboards ------------------------------------------------------------------------------


def entry_buttons(
    entries: Sequence[Entry], pick_token: str | None = None
) -> list[list[InlineKeyboardButton]]:
    """One row per entry, labelled with its question; with `pick_token`, suggestion buttons."""
    return [[InlineKeyboardButton(
        entry.question,
        callback_data=pick_data(pick_token, entry.id) if pick_token else answer_data(entry.id),
    )] for entry in entries]


def related_keyboard(faq: Faq, entry: Entry) -> InlineKeyboardMarkup | None:
    related = faq.related_entries(entry)
    return InlineKeyboardMarkup(entry_buttons(related)) if related else None


TOPICS_BUTTON = InlineKeyboardMarkup([[InlineKeyboardButton("Browse topics", callback_data="t")]])
ASK_PRACTICE = "Ask the practice"


def ask_row(token: str) -> list[InlineKeyboardButton]:
    """The hand-off button, for a question held under `token`."""
    return [InlineKeyboardButton(ASK_PRACTICE, callback_data=f"h:{token}")]


# -- replies for a question -----------------------------------------------------------------


def answer_reply(faq: Faq, entry: Entry, before: Sequence[Block] = ()) -> Reply:
    """The entry's lead (if it has one) and the answer first (after `before`: what to do now,
    a note in another language), then the disclaimer folded under it (an expandable quote),
    and follow-up buttons for related entries."""
    parts = render_html([*before, *answer_blocks(faq, entry, fold_disclaimer=True)])
    return Reply(tuple(parts), related_keyboard(faq, entry))


def match_reply(
    faq: Faq, match: Match, pick_token: str | None = None, ask_token: str | None = None
) -> Reply:
    """The reply for any matching outcome. `pick_token` links suggestion buttons to the stored
    question, so the suggestion picked can be noted on it; `ask_token` adds "Ask the practice"
    to a declined reply or a suggestion list (the question is held under it for hand-off)."""
    signs = signs_blocks(match.signs_asked)
    if match.status is Status.ANSWER and match.entry is not None:
        return answer_reply(faq, match.entry, signs)
    ask = [ask_row(ask_token)] if ask_token else []
    if match.status is Status.SUGGEST and match.suggestions:
        entries = [suggestion.entry for suggestion in match.suggestions]
        # The options are in the text too, so the message still makes sense where buttons are
        # not shown (forwarded, quoted, or read in a notification).
        listing = "\n".join(f"• {entry.question}" for entry in entries)
        options = render_html(
            [*signs, *before_suggestions(faq, match), Block(SUGGEST_INTRO, "bold"),
             Block(listing)]
        )
        rows = [*entry_buttons(entries, pick_token), *ask]
        return Reply(tuple(options), InlineKeyboardMarkup(rows))
    parts = tuple(render_html(reply_blocks(faq, match)))
    if match.status is Status.NONE:
        return Reply(parts, InlineKeyboardMarkup([*TOPICS_BUTTON.inline_keyboard, *ask]))
    return Reply(parts)  # smalltalk, and urgent: the urgent-care reply and nothing else


def foreign_reply(faq: Faq, foreign: ForeignReply, ask_token: str | None = None) -> Reply:
    """A message surely in another language (bot.language.foreign_reply): the note in that
    language first, then the English answer; or, when the matcher did not answer it, the note
    that the bot understands English only, with the topics as buttons (and "Ask the practice"
    for a question held under `ask_token`)."""
    note = [*signs_blocks(foreign.signs_asked), Block(foreign.note, "italic")]
    if foreign.entry is not None:
        return answer_reply(faq, foreign.entry, note)
    ask = [ask_row(ask_token)] if ask_token else []
    topics = topics_menu(faq).keyboard
    rows = [*(topics.inline_keyboard if topics else ()), *ask]
    return Reply(tuple(render_html(note)), InlineKeyboardMarkup(rows))


# -- menus ----------------------------------------------------------------------------------


def topics_menu(faq: Faq) -> Reply:
    """Every topic as a button, with how many questions it holds."""
    rows = [
        [InlineKeyboardButton(f"{topic} ({len(entries)})", callback_data=topic_data(topic))]
        for topic, entries in faq.topics().items()
    ]
    text = "<b>Topics</b>\nPick a topic to see its questions, or just ask me in your own words."
    return Reply((text,), InlineKeyboardMarkup(rows))


def topic_page(faq: Faq, topic: str, page: int) -> Reply:
    """One page of a topic's questions, with Previous/Next and a way back to all topics."""
    entries = faq.topics().get(topic, [])
    pages = max(1, -(-len(entries) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows = entry_buttons(shown)
    navigation = []
    if page > 0:
        previous = topic_data(topic, page - 1)
        navigation.append(InlineKeyboardButton("◀ Previous", callback_data=previous))
    if page < pages - 1:
        following = topic_data(topic, page + 1)
        navigation.append(InlineKeyboardButton("Next ▶", callback_data=following))
    if navigation:
        rows.append(navigation)
    rows.append([InlineKeyboardButton("« All topics", callback_data="m")])
    counter = f" (page {page + 1} of {pages})" if pages > 1 else ""
    text = f"<b>{html.escape(topic, quote=False)}</b>{counter}\nTap a question to read the answer."
    return Reply((text,), InlineKeyboardMarkup(rows))



def conditions_reply(faq: Faq) -> Reply:
    """The treated conditions: the `conditions` entry (its list, each condition a button).

    A FAQ without that entry falls back to the first topic about conditions, then to the menu.
    """
    entry = faq.get(CONDITIONS_ID)
    if entry is not None:
        return answer_reply(faq, entry)
    topic = faq.conditions_topic()
    return topic_page(faq, topic, 0) if topic else topics_menu(faq)


# -- our own wording ------------------------------------------------------------------------

EXAMPLES = ("do you treat sciatica?", "what is cupping?", "my jaw clicks and hurts")


def welcome(first_name: str | None, practice: Practice | None = None) -> str:
    """/start; with the practice's details in faq.yaml, it points to /contact as well."""
    name = f", {html.escape(first_name, quote=False)}" if first_name else ""
    examples = ", ".join(f"<i>{html.escape(example)}</i>" for example in EXAMPLES)
    contact = "/contact to reach the practice\n" if practice is not None else ""
    return (
        f"<b>Hello{name}!</b> I answer questions about clinical massage at our practice: the "
        "conditions we treat, the types of massage we offer and the reasons to get a massage.\n\n"
        f"Just ask in your own words, for example: {examples}.\n\n"
        "/topics to browse every question\n"
        "/conditions for the conditions we treat\n"
        f"{contact}"
        "/help for how to use me\n\n"
        "<i>My answers are general information from the practice's FAQ, not medical advice; each "
        "one comes with the practice's disclaimer (/disclaimer). For your own health, please "
        "talk to your healthcare provider, and in an emergency call your local emergency "
        "number.</i>"
    )


def help_text(
    username: str | None, admin: bool = False, handoff: bool = False,
    practice: Practice | None = None,
) -> str:
    """/help; with the practice's details in faq.yaml, /contact is listed and pointed to."""
    handle = f"@{username}" if username else "the bot"
    ask = "/ask - ask the practice's team; a person replies here\n" if handoff else ""
    contact = "/contact - how to reach the practice\n" if practice else ""
    directly = "(/contact has the details)" if practice else "directly"
    admin_lines = (
        "<b>For admins</b>\n"
        "/unanswered [N] - the N questions asked most that I could not answer (default "
        f"{reports.DEFAULT_LIMIT})\n"
        "/stats [DAYS] - how questions went over the last DAYS days (default 7)\n"
        "/reload - load faq.yaml again after editing it\n\n"
    ) if admin else ""
    return (
        "<b>How to use me</b>\n"
        "Type a question in your own words; spelling mistakes are fine. If I'm not sure, I'll "
        "offer a few questions to pick from, and if the FAQ doesn't cover it I'll say so.\n\n"
        "/topics - browse every question by topic\n"
        "/conditions - the conditions we treat\n"
        "/disclaimer - the practice's medical disclaimer\n"
        "/privacy - what I store, and for how long\n"
        f"{contact}"
        f"{ask}"
        "/start - the welcome message\n\n"
        f"<b>In a group</b>, mention me ({handle}) or reply to one of my messages; I stay quiet "
        "otherwise.\n"
        f"<b>In any chat</b>, type {handle} and a question to share an answer.\n\n"
        f"{admin_lines}"
        "<i>For bookings, prices or anything about your own health, please contact the practice "
        f"{directly}.</i>"
    )


def disclaimer_reply(faq: Faq) -> Reply:
    return Reply(tuple(render_html([Block(faq.disclaimer)])))


def contact_reply(faq: Faq) -> Reply:
    """/contact: the practice's name, address, opening hours, phone and email, with buttons
    for its website and booking page; without a `practice:` section, that there are no details
    here, and the topics.

    Telegram's URL buttons open only http(s) and tg:// links, so a "Call" button with a tel:
    link would make Telegram refuse the whole message: the phone number is in the text, which
    Telegram makes tappable, and a button copies it in the form a phone dials."""
    practice = faq.practice
    if practice is None:
        return Reply((CONTACT_NOT_SET_UP,), TOPICS_BUTTON)
    rows = []
    if practice.phone:
        rows.append([InlineKeyboardButton(
            "Copy the phone number", copy_text=CopyTextButton(practice.dial)
        )])
    links = [
        InlineKeyboardButton(label, url=url) for label, url in (
            ("Website", practice.website), ("Book an appointment", practice.booking_url),
        ) if url
    ]
    if links:
        rows.append(links)
    parts = tuple(render_html(contact_blocks(practice, links=False)))
    return Reply(parts, InlineKeyboardMarkup(rows) if rows else None)


NOT_TEXT = (
    "I can only read text. Please type your question in words, for example "
    "<i>do you treat tennis elbow?</i>"
)
EMPTY_MENTION = "Yes? Ask me a question about clinical massage, or send /help."
UNKNOWN_COMMAND = "I don't know that command. Send /help to see what I can do."
STALE_BUTTON = (
    "Sorry, that button is from an older version of our FAQ and no longer leads anywhere. "
    "Here are the current topics:"
)
STALE_PICK = (
    "Sorry, that question is no longer in our FAQ. Here are the current topics:"
)


def pick_without_list() -> Reply:
    """A typed number or "the second one" with no recent list to pick from."""
    return Reply((
        "I'm not sure which list you mean: I haven't shown you one lately. "
        "Send /topics to browse the questions, or ask in words.",
    ), TOPICS_BUTTON)


def pick_out_of_range(count: int) -> Reply:
    """A typed number that the last list (of `count` choices) does not have."""
    options = "There was only one option" if count == 1 else f"There were {count} options"
    pick = "type 1" if count == 1 else f"type a number from 1 to {count}"
    return Reply((
        f"{options} in my last list: {pick}, or send /topics to browse the questions.",
    ), TOPICS_BUTTON)


def more_reply(more: More) -> Reply:
    """A "tell me more" after an answer: its related entries as buttons, or, when it has none,
    that there is no more on it, with the topics."""
    text = html.escape(more_text(more), quote=False)
    if more.entries:
        return Reply((text,), InlineKeyboardMarkup(entry_buttons(more.entries)))
    return Reply((text,), TOPICS_BUTTON)


def parts_replies(faq: Faq, parts: Parts, ask_token: str | None = None) -> list[Reply]:
    """A message of several questions (bot.compound): each covered part's answer as it is
    answered alone (its disclaimer folded under it), then, if a part is not covered, a note
    naming it with the fallback's pointer to the practice, the topics button and "Ask the
    practice" (for that part, held under `ask_token`)."""
    replies = [answer_reply(faq, entry) for entry in parts.entries]
    if parts.uncovered:
        ask = [ask_row(ask_token)] if ask_token else []
        note = render_html([Block(line) for line in not_covered_lines(faq, parts)])
        replies.append(Reply(
            tuple(note), InlineKeyboardMarkup([*TOPICS_BUTTON.inline_keyboard, *ask])
        ))
    return replies


RELOAD_REFUSED = "Sorry, only the practice's admins can reload the FAQ. Nothing was changed."
RELOAD_PRIVATE_ONLY = (
    "Please send /reload in a private chat with me: what it reports (the FAQ file's location "
    "and any problems in it) is not for a group. Nothing was changed."
)
ADMIN_ONLY = "Sorry, only the practice's admins can see that."
PRIVATE_ONLY = (
    "For privacy, please ask me that in a private chat: questions people ask are not for a group."
)


QUESTIONS_NOT_KEPT = (
    "This bot keeps no question text (KEEP_QUESTIONS is off), so there are no unanswered "
    "questions to list. /stats still counts the replies."
)


def privacy_text(
    retention_days: int, *, keeps_text: bool = True, handoff_days: int | None = None,
    practice: Practice | None = None,
) -> str:
    """/privacy: what the bot stores, for how long, and that it never stores who asked; with
    `handoff_days` (hand-off is set up), what handing a question to the team keeps; with the
    `practice`'s details, how to reach it."""
    ways = practice_contacts(practice)
    reach = f": {html.escape(ways, quote=False)}" if ways else ""
    if keeps_text:
        what = (
            "When I can't answer a question, or can only suggest a few possible answers, I keep "
            "the text of the question so the practice can improve this FAQ. Before it is stored, "
            "email addresses, phone numbers, links, dates and long numbers are removed from it. "
            "For suggestions I also note which one you picked.\n\n"
            "Questions I answer, greetings and urgent-care replies are not stored, only counted: "
            "per day, how many questions got each kind of reply and which answers were given."
        )
    else:
        what = (
            "I don't keep the text of any question. I only count, per day, how many questions "
            "got each kind of reply and which answers were given."
        )
    never = "<b>I never store who asked</b>"
    handoff = ""
    if handoff_days is not None:
        never = "<b>Apart from that link, I never store who asked</b>"
        handoff = (
            "<b>If you ask the practice's team</b> (/ask, or the Ask the practice button): "
            "after you confirm, your question and your Telegram name are posted to the "
            "practice's staff chat on Telegram; until then the question is held only in my "
            f"memory, for {PENDING_MINUTES} minutes at most. So that their reply reaches you, "
            "I keep the link between that post and this chat (the chat's id, not the question) "
            f"until they reply; if they don't, it is deleted after {handoff_days} days.\n\n"
        )
    return (
        "<b>Privacy: what I store</b>\n"
        f"{what}\n\n"
        f"{handoff}"
        f"{never}: no Telegram user id, chat id, username or name, and "
        "only the day, not the time.\n\n"
        f"Everything is deleted automatically after {retention_days} days.\n\n"
        "<i>Please don't send me personal details. For anything about your own health, contact "
        f"the practice directly{reach}.</i>"
    )


# -- hand-off to the practice's team (bot.handoff) ------------------------------------------

PENDING_MINUTES = int(PENDING_SECONDS // 60)
HANDOFF_CONSENT = (
    "Your question and your Telegram name will be sent to the practice's team, who will reply "
    "here"
)
HANDOFF_NOT_SET_UP = (
    "Asking the practice's team through me is not set up. Please contact the practice directly."
)
HANDOFF_PRIVATE_ONLY = (
    "To ask the practice's team, please send /ask in a private chat with me: their reply is for "
    "you, not for a group."
)
HANDOFF_CANCELLED = "Cancelled: nothing was sent."
HANDOFF_GONE = (
    "That question has already been sent, or is no longer waiting. To ask the practice's team, "
    "send /ask and your question."
)
HANDOFF_NOT_SENT = (
    "Sorry, I couldn't send your question to the practice's team just now. Please contact the "
    "practice directly."
)
HANDOFF_UNLINKED = (
    "Your question reached the practice's team, but I can't pass their reply on to you right "
    "now. Please contact the practice directly."
)
STAFF_DELIVERED = "Sent to them \u2713"
STAFF_TEXT_ONLY = "I can only pass on text: please reply to the question with a text message."
STAFF_BLOCKED = (
    "Not delivered: they have blocked the bot or deleted their chat with it, so I can't reach "
    "them."
)
STAFF_REFUSED = "Not delivered: Telegram refused the message, so I can't reach them."
STAFF_TRY_AGAIN = (
    "Not delivered: Telegram did not answer. Please reply to the question again in a moment."
)
STAFF_UNAVAILABLE = (
    "I can't look up who asked right now: the bot's store is unavailable (see its log). Please "
    "reply again later."
)
STAFF_UNLINKED = (
    "I couldn't save where this question came from (the bot's store is unavailable), so a reply "
    "here won't reach them; they have been told to contact the practice directly."
)


def handoff_prompt() -> Reply:
    """A bare /ask: ask for the question, with a way out."""
    return Reply(
        ("What would you like to ask the practice's team? Send your question as your next "
         "message.",),
        InlineKeyboardMarkup([[InlineKeyboardButton("Cancel", callback_data="hc:")]]),
    )


def handoff_confirm(question: str, token: str) -> Reply:
    """What will be sent, and to whom, before anything is: Send or Cancel."""
    parts = render_html([Block(f"{HANDOFF_CONSENT}:"), Block(question, "quote")])
    return Reply(tuple(parts), InlineKeyboardMarkup([[
        InlineKeyboardButton("Send", callback_data=f"hs:{token}"),
        InlineKeyboardButton("Cancel", callback_data=f"hc:{token}"),
    ]]))


def handoff_sent(days: int) -> str:
    return (
        "Sent. The practice's team will reply here, in this chat. If you haven't heard from them "
        f"within {days} days, please contact the practice directly."
    )


def staff_post(name: str, question: str, days: int) -> Reply:
    """The question as the staff chat sees it: who asks (the name they agreed to share), what,
    and how to answer."""
    return Reply(tuple(render_html([
        Block(f"Question for the practice's team from {name}:", "bold"),
        Block(question, "quote"),
        Block(
            "Reply to this message and I'll send your reply to them, as coming from the "
            f"practice. I can pass one reply on, within {days} days.",
            "italic",
        ),
    ])))


def staff_answer(text: str) -> Reply:
    """A staff member's reply, as the person receives it."""
    return Reply(tuple(render_html([Block("Reply from the practice's team:", "bold"),
                                    Block(text)])))


def staff_not_open(days: int) -> str:
    return (
        "I can't pass this on: that message is not an open question from someone. A reply reaches "
        "the person only as a reply to my post of their question, once, within "
        f"{days} days of it."
    )


def staff_too_old(days: int) -> str:
    return (
        f"I can't pass this on: that question was asked more than {days} days ago, and the link "
        "to the person who asked it has been deleted (HANDOFF_RETENTION_DAYS)."
    )


def store_unavailable(reason: str) -> str:
    return (
        "The question store is unavailable right now: "
        f"{html.escape(reason, quote=False)}. The bot keeps answering; see the log."
    )


def unanswered_reply(
    faq: Faq, groups: Sequence[Group], limit: int, retention_days: int,
    teach_tokens: Sequence[str] = (),
) -> Reply:
    """/unanswered: the most asked groups, escaped (they are what people typed); with
    `teach_tokens` (one per group shown, bot.teaching), a "Teach…" button for each."""
    blocks = reports.unanswered_blocks(groups, limit, retention_days, _titles(faq))
    rows = [
        [InlineKeyboardButton(f"Teach\u2026 {number}", callback_data=f"Tq:{token}")]
        for number, token in enumerate(teach_tokens, start=1)
    ]
    return Reply(tuple(render_html(blocks)), InlineKeyboardMarkup(rows) if rows else None)


# -- teaching the FAQ from Telegram (admins; bot.teach edits the file) ------------------------
#
# Callback data, each under 64 bytes whatever the FAQ: T?:<token>[:...], the token naming the
# held question (bot.teaching), entries by a 20-character hash of their id, topics by key.

TEACH_GONE = (
    "That question is no longer held (the list is over 30 minutes old, or the bot restarted)."
    " Send /unanswered again."
)
TEACH_CANCELLED = "Cancelled: faq.yaml was not changed."
TEACH_ENTRY_GONE = (
    "That entry is no longer in the FAQ (it was removed or renamed since); nothing was written."
    " Pick another one."
)


def _teach_row(token: str) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton("Not covered", callback_data=f"Tn:{token}"),
        InlineKeyboardButton("Cancel", callback_data=f"Tx:{token}"),
    ]


def teach_topics(faq: Faq, question: str, token: str) -> Reply:
    """Teach… pressed: the topics, to find the entry that answers the question."""
    rows = [
        [InlineKeyboardButton(
            f"{topic} ({len(entries)})", callback_data=f"Tg:{token}:{topic_key(topic)}:0"
        )]
        for topic, entries in faq.topics().items()
    ]
    rows.append(_teach_row(token))
    text = (
        f"<b>Teach</b> \u201c{html.escape(question, quote=False)}\u201d\n"
        "Pick the topic of the entry that answers it, or <i>Not covered</i> if the FAQ does "
        "not cover it."
    )
    return Reply((text,), InlineKeyboardMarkup(rows))


def teach_topic_page(faq: Faq, topic: str, page: int, question: str, token: str) -> Reply:
    """One page of a topic's entries to teach the question to."""
    entries = faq.topics().get(topic, [])
    pages = max(1, -(-len(entries) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    rows = [
        [InlineKeyboardButton(entry.question, callback_data=f"Te:{token}:{_id_hash(entry.id)}")]
        for entry in entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    ]
    key = topic_key(topic)
    navigation = []
    if page > 0:
        navigation.append(
            InlineKeyboardButton("\u25c0 Previous", callback_data=f"Tg:{token}:{key}:{page - 1}")
        )
    if page < pages - 1:
        navigation.append(
            InlineKeyboardButton("Next \u25b6", callback_data=f"Tg:{token}:{key}:{page + 1}")
        )
    if navigation:
        rows.append(navigation)
    rows.append([InlineKeyboardButton("\u00ab All topics", callback_data=f"Tm:{token}")])
    rows.append(_teach_row(token))
    counter = f" (page {page + 1} of {pages})" if pages > 1 else ""
    text = (
        f"<b>{html.escape(topic, quote=False)}</b>{counter}\n"
        f"Which entry answers \u201c{html.escape(question, quote=False)}\u201d?"
    )
    return Reply((text,), InlineKeyboardMarkup(rows))


def teach_entry(faq: Faq, key: str) -> Entry | None:
    """The entry a teach button names (by its id's hash), or None if it is gone."""
    return next((entry for entry in faq.entries if _id_hash(entry.id) == key), None)


def teach_confirm(question: str, entry: Entry, token: str) -> Reply:
    """Before anything is written: the question, the entry, Add or Cancel."""
    text = (
        f"Add \u201c{html.escape(question, quote=False)}\u201d as another way to ask "
        f"\u201c{html.escape(entry.question, quote=False)}\u201d ({html.escape(entry.id)})?"
    )
    return Reply((text,), InlineKeyboardMarkup([[
        InlineKeyboardButton("Add", callback_data=f"Ta:{token}:{_id_hash(entry.id)}"),
        InlineKeyboardButton("Cancel", callback_data=f"Tx:{token}"),
    ]]))


def teach_not_covered_confirm(question: str, token: str) -> Reply:
    text = (
        f"Add \u201c{html.escape(question, quote=False)}\u201d to the topics the FAQ does not "
        "cover? Questions like it will then be told the FAQ does not cover them."
    )
    return Reply((text,), InlineKeyboardMarkup([[
        InlineKeyboardButton("Add", callback_data=f"TN:{token}"),
        InlineKeyboardButton("Cancel", callback_data=f"Tx:{token}"),
    ]]))


def teach_done(question: str, entry: Entry | None, reload: Reply) -> Reply:
    """Written and reloaded: what was added where, then the reload's report."""
    said = html.escape(question, quote=False)
    if entry is None:
        done = f"Added \u201c{said}\u201d to not_covered; the FAQ was reloaded:"
    else:
        done = (
            f"Added \u201c{said}\u201d as an alternate of \u201c"
            f"{html.escape(entry.question, quote=False)}\u201d ({html.escape(entry.id)}); the "
            "FAQ was reloaded:"
        )
    return Reply((done, *reload.parts), reload.keyboard)


def teach_failed(reason: str) -> Reply:
    return plain(f"Not taught: {html.escape(reason, quote=False)}")


def stats_reply(faq: Faq, stats: Stats) -> Reply:
    """/stats: questions per outcome and the top answers."""
    return Reply(tuple(render_html(reports.stats_blocks(stats, _titles(faq)))))


def _titles(faq: Faq) -> dict[str, str]:
    return {entry.id: entry.question for entry in faq.entries}
ERROR_REPLY = "Sorry, something went wrong on my side. Please try again in a moment."


# The admin's reply to a reload is one message, whatever the file: at most this many problems
# (or warnings, or entry ids per list) are quoted, each cut to RELOAD_LINE_CHARS, then how many
# more there are. A broken 60 KB file once got 445 messages, and nobody else was answered
# meanwhile; `faq-bot check` lists everything.
RELOAD_PROBLEMS_SHOWN = 10
RELOAD_IDS_SHOWN = 20
RELOAD_LINE_CHARS = 300


def _first(lines: Sequence[str], shown: int) -> tuple[list[str], int]:
    """The first `shown` lines, each cut to RELOAD_LINE_CHARS, and how many were left out."""
    cut = [
        line if len(line) <= RELOAD_LINE_CHARS else line[:RELOAD_LINE_CHARS - 1] + "\u2026"
        for line in lines[:shown]
    ]
    return cut, max(0, len(lines) - shown)


def _problem_blocks(lines: Sequence[str]) -> list[Block]:
    shown, more = _first(lines, RELOAD_PROBLEMS_SHOWN)
    blocks = [Block("\n".join(shown))]
    if more:
        blocks.append(Block(f"\u2026and {more} more: run faq-bot check on the file to see all."))
    return blocks


def _warning_blocks(result: ReloadResult) -> list[Block]:
    """What is worth fixing in a file now in service, as one capped list: first the new or
    changed entries that patients' questions would miss (bot.lint.review), the admin's likely
    reason to have saved, then the file's other warnings."""
    notes = [*result.lint, *result.warnings]
    if not notes:
        return []
    return [Block("Worth fixing (the file works as it is):", "bold"), *_problem_blocks(notes)]


def _note_blocks(result: ReloadResult) -> list[Block]:
    """What changed in how messages are read, which is no fault (bot.lint.taken_over)."""
    if not result.notes:
        return []
    return [Block("Good to know:", "bold"), *_problem_blocks(list(result.notes))]


def reload_reply(result: ReloadResult) -> Reply:
    """What the admin who asked for a reload reads: one message, with counts and the first few
    problems, warnings and entry ids (RELOAD_PROBLEMS_SHOWN, RELOAD_IDS_SHOWN)."""
    if not result.ok:
        problems = [line for line in result.error.splitlines() if line.strip()]
        count = f"{len(problems)} problems" if len(problems) != 1 else "a problem"
        blocks = [
            Block(
                f"The FAQ was not reloaded: the new file has {count}. The previous version "
                f"({result.entry_count} entries) stays in service. Fix these and send /reload "
                "again:",
                "bold",
            ),
            *_problem_blocks(problems),
        ]
        return Reply(tuple(render_html(blocks)))
    blocks = [Block(f"FAQ reloaded: {result.entry_count} entries in service.", "bold")]
    for label, ids in (
        ("Added", result.added), ("Removed", result.removed), ("Changed", result.changed),
        ("Also changed", result.settings_changed),
    ):
        if ids:
            shown, more = _first(ids, RELOAD_IDS_SHOWN)
            tail = f" and {more} more" if more else ""
            blocks.append(Block(f"{label}: {', '.join(shown)}{tail}"))
    if not result.anything_changed:
        blocks.append(Block("Nothing changed."))
    blocks.extend(_warning_blocks(result))
    blocks.extend(_note_blocks(result))
    return Reply(tuple(render_html(blocks)))


# -- reloads nobody asked for in a chat (bot.announce) ------------------------------------------


def _by(trigger: str) -> str:
    """Who applied a reload, for the admins (ReloadResult.trigger and Version.trigger)."""
    if trigger == "file change":
        return "the file watcher"
    if trigger == "SIGHUP":
        return "a SIGHUP signal"
    if trigger.startswith("/reload by admin "):
        return f"/reload from admin {trigger.removeprefix('/reload by admin ')}"
    return trigger


def _at(moment: datetime, now: datetime | None = None) -> str:
    """HH:MM UTC, with the date when it was not today (a bot runs for weeks)."""
    moment = moment.astimezone(UTC)
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    return moment.strftime("%H:%M UTC" if moment.date() == today else "%Y-%m-%d %H:%M UTC")


def _counts(result: ReloadResult) -> str:
    """"added 1, changed 2, removed 0": the headline of a change, ids listed below it."""
    text = (
        f"added {len(result.added)}, changed {len(result.changed)}, "
        f"removed {len(result.removed)}"
    )
    if result.settings_changed:
        text += f", also changed: {', '.join(result.settings_changed)}"
    return text


def _change_blocks(result: ReloadResult) -> list[Block]:
    """The entries in service, the ids added, removed and changed (capped), the warnings."""
    blocks = [Block(f"{result.entry_count} entries in service.")]
    for label, ids in (
        ("Added", result.added), ("Removed", result.removed), ("Changed", result.changed),
    ):
        if ids:
            shown, more = _first(ids, RELOAD_IDS_SHOWN)
            tail = f" and {more} more" if more else ""
            blocks.append(Block(f"{label}: {', '.join(shown)}{tail}"))
    blocks.extend(_warning_blocks(result))
    blocks.extend(_note_blocks(result))
    return blocks


def reload_failed_notice(result: ReloadResult, in_service: Version, file: str) -> Reply:
    """To every admin when the watcher (or SIGHUP) found the new file broken: which file, its
    first problems with their lines and fixes (capped as reload_reply), and what still
    answers people."""
    problems = [line for line in result.error.splitlines() if line.strip()]
    count = f"{len(problems)} problems" if len(problems) != 1 else "a problem"
    blocks = [
        Block(f"The new {file} has {count}, so {_by(result.trigger)} did not load it.", "bold"),
        Block(
            f"The previous FAQ ({result.entry_count} entries, loaded at "
            f"{_at(in_service.applied_at)}) stays in service. Fix these and save the file "
            "again; I will tell you when it is loaded:"
        ),
        *_problem_blocks(problems),
    ]
    return Reply(tuple(render_html(blocks)))


def reload_applied_notice(
    change: ReloadResult, file: str, at: datetime, *, fixed: bool
) -> Reply:
    """To every admin when the watcher (or SIGHUP) put a good file in service at `at`:
    `change` is what changed since the FAQ this admin last heard of; `fixed` when a broken save
    of the file was reported before. (Not the Version's time: a save that puts back the bytes
    in service, the usual fix of a broken one, is no new Version.)"""
    blocks = [Block(
        f"{file} reloaded by {_by(change.trigger)} at {_at(at)}: {_counts(change)}.", "bold"
    )]
    if fixed:
        blocks.append(Block("The problems reported earlier are fixed."))
    return Reply(tuple(render_html([*blocks, *_change_blocks(change)])))


def already_applied_reply(change: ReloadResult, in_service: Version) -> Reply:
    """/reload when the file holds nothing new but the FAQ in service was applied (by the
    watcher, SIGHUP or another admin) since this admin last heard: when, and what changed
    since the FAQ they last heard of."""
    blocks = [Block(
        f"Already applied by {_by(in_service.trigger)} at {_at(in_service.applied_at)}: "
        f"{_counts(change)}.",
        "bold",
    )]
    return Reply(tuple(render_html([*blocks, *_change_blocks(change)])))


# -- inline mode ----------------------------------------------------------------------------


def common_entries(faq: Faq) -> list[Entry]:
    """The first entry of every topic: the overview questions people start from."""
    return [entries[0] for entries in faq.topics().values()]


def inline_results(
    faq: Faq, matcher: Matcher, query: str, username: str | None
) -> tuple[list[InlineQueryResultArticle], InlineQueryResultsButton | None]:
    """Articles for an inline query, and a "talk to me" button when there is nothing to offer."""
    query = query.strip()
    match = matcher.match(query) if query else None
    if match is not None and match.status is Status.URGENT:
        text = "\n\n".join(render_html(reply_blocks(faq, match)))
        urgent = InlineQueryResultArticle(
            id="urgent",
            title="This may need urgent medical attention",
            description="Please call your local emergency number.",
            input_message_content=InputTextMessageContent(text, parse_mode=ParseMode.HTML),
        )
        return [urgent], None
    entries: list[Entry]
    if match is None or match.status is Status.SMALLTALK:
        entries = common_entries(faq)
    else:
        entries = []
        if match.entry is not None:
            entries.append(match.entry)
        entries.extend(s.entry for s in match.suggestions if s.entry not in entries)
    articles = [_article(faq, entry, username) for entry in entries[:INLINE_RESULTS]]
    if articles:
        return articles, None
    return [], InlineQueryResultsButton(text="Ask me in a private chat", start_parameter="inline")


def _article(faq: Faq, entry: Entry, username: str | None) -> InlineQueryResultArticle:
    parts = render_html(answer_blocks(faq, entry))
    keyboard = None
    if len(parts) == 1:
        text = parts[0]
    else:
        # One inline message cannot hold it; the approved wording is never truncated, so the
        # message carries the title, the disclaimer and a link to the full answer in private.
        text = "\n\n".join(render_html([
            *([Block(entry.lead, "bold")] if entry.lead else []),
            Block(entry.question, "bold"),
            Block("This answer is too long for one message: tap below to read it in full."),
            Block(faq.disclaimer, "italic"),
        ]))
        if username and len(entry.id) <= _START_PAYLOAD_LIMIT:
            keyboard = InlineKeyboardMarkup([[InlineKeyboardButton(
                "Read the full answer", url=f"https://t.me/{username}?start={entry.id}"
            )]])
    # the lead first here too: under the title, it is the answer at a glance
    first_line = entry.lead or next(
        (line for line in entry.answer.splitlines() if line.strip()), ""
    )
    return InlineQueryResultArticle(
        id=answer_data(entry.id),
        title=entry.question,
        description=first_line[:120],
        input_message_content=InputTextMessageContent(
            text,
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        reply_markup=keyboard,
    )
