"""Text normalisation shared by the FAQ index and incoming questions.

Both sides of every comparison go through the same functions, so a word in faq.yaml and the
same word typed by a patient (in capitals, fullwidth letters, with emoji or a curly apostrophe)
end up as the same token.
"""

from __future__ import annotations

import re
import unicodedata

# Telegram caps a message at 4,096 characters; anything longer is not a question a person typed,
# and reading only a bounded prefix keeps match() fast on hostile input.
MAX_INPUT_CHARS = 4096

# straight, right and left single quotes, backtick, acute accent
_APOSTROPHES = re.compile("['\u2019\u2018`\u00b4]")
_NON_WORD = re.compile(r"[^\w]+|_+")

# Function words and question frames ("can you tell me", "what is") carry no topic. Words that
# do carry meaning for declining ("much", "cost", "where") are deliberately absent.
STOPWORDS: frozenset[str] = frozenset(
    """
    a an the this that these those there here it its itself
    i im ive id me my mine myself you your youre yours u ur ya we us our ours they them their
    he she his her him hers
    is are was were be been being am do does did doing done dont doesnt didnt
    can could would should will shall may might must wont wouldnt couldnt shouldnt cant cannot
    what whats which whom whose how hows
    of in on at to for with without about from by as into onto over under than then so too
    and or but if also just only very really quite pretty bit little lot lots
    please pls plz kindly tell know wanna want wanted wondering wonder curious question
    ask asking explain describe mean meaning info information
    any some all anything something someone anyone everything most even up out around round
    get getting got gets have has had having go going
    good great nice ok okay okey
    thing things stuff sort like likes ill
    hi hello hey hiya thanks thank thx cheers
    dear sir madam mate buddy folks guys everyone team bot
    wat wot wht whta r n b y abt bc cuz cos coz ppl
    after before when whenever while during until till through throughout across along via
    per within among between behind beside towards toward upon against except unless though
    although because since whether either neither nor yet ever never not no nope yes yeah yep
    each every one ones two three own several few many much more less such same other others
    another new first last next once twice already soon still
    somebody anybody everybody nobody somewhere anywhere everywhere nothing
    alright hmm um uh er oh ah well anyway anyways tbh btw imo idk rn
    """.split()
)

# Words that describe the person's situation rather than the topic ("my doctor said I have ...",
# "I've been suffering for years with ..."): the matcher gives them little weight, so they
# barely help or hurt a match, yet an entry may still use one ("are you a doctor?"). A word
# that is also a stopword is left out here: the stopword list wins.
CONTEXT_WORDS: frozenset[str] = frozenset(
    """
    doctor doctors doc gp physician physio physiotherapist podiatrist specialist consultant
    said says told tells think thinks thought mentioned recommended suggested reckons
    diagnosed diagnosis suffer suffers suffering suffered struggle struggling
    lately recently years year months month weeks week days day ago today tonight
    yesterday always often sometimes constant constantly everyday
    now currently again anymore
    bad badly terrible terribly awful horrible severe right left feel feels feeling felt
    usually maybe possibly probably actually literally exactly basically honestly seriously
    wife husband partner mum mom mother dad father son daughter friend friends grandad grandma
    kid kids child children boss colleague
    nurse nurses teacher teachers hairdresser builder plumber electrician cleaner carer carers
    chef waiter waitress mechanic farmer driver drivers student students retired pensioner
    story history
    lol haha omg ugh totally completely absolutely times time
    need needs make makes made try trying tried keep keeps kept seem seems
    useful worth worthwhile recommend fine sure
    killing wrecked destroyed knackered exhausted tired
    """.split()
)

def normalize(text: str, limit: int | None = MAX_INPUT_CHARS) -> str:
    """Fold a message to lowercase words separated by single spaces.

    NFKC turns fullwidth letters and non-breaking spaces into their plain forms; format characters
    (zero-width spaces, joiners, direction marks) are dropped so they cannot split a word; every
    run of punctuation, emoji or control characters becomes one space. Only the first `limit`
    characters are read (None: all of them, for the FAQ's own long answers).
    """
    text = unicodedata.normalize("NFKC", text[:limit]).casefold()
    if not text.isascii():  # format characters are never ASCII; skip the per-character scan
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NON_WORD.sub(" ", text).split())


def words(text: str, limit: int | None = MAX_INPUT_CHARS) -> list[str]:
    """The normalised words of a message, in order (of its first `limit` characters)."""
    return normalize(text, limit).split()


def stem(word: str) -> str:
    """A light, deterministic suffix stripper: enough to make plurals and verb forms meet.

    It need not produce real words, only the same stem for "migraine" and "migraines" or
    "sleep" and "sleeping"; it leaves short words and Latin-looking endings ("-itis", "-us") alone.
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    # plurals first, so "bookings" and "booking" meet below
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ment") and len(word) > 7:
        word = word[:-4]
    # "treated" meets "treat", "emotionally" meets "emotional"
    elif (word.endswith("ed") and len(word) > 4) or (word.endswith("ally") and len(word) > 6):
        word = word[:-2]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word
