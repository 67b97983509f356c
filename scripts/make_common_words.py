"""Regenerate bot/data/common_words.txt, the matcher's list of everyday English words.

The list is SCOWL's size-35 level ("small": the words most dictionaries agree everyone uses), as
Debian ships it in wamerican-small and wbritish-small, folded like incoming messages are
(bot.text.normalize). The matcher uses it to tell a real everyday word ("hammering", "room")
from a misspelling, so it never "corrects" the former into an FAQ word ("hamstring", "rom").

    cd /tmp && apt-get download wamerican-small wbritish-small
    for f in w*-small_*.deb; do dpkg-deb -x "$f" scowl; done
    python scripts/make_common_words.py scowl/usr/share/dict/*-english-small \
        > bot/data/common_words.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.text import words

NOTICE = """\
# Everyday English words, one a line: SCOWL size 35 (American and British), folded by
# bot.text.normalize, and the recent words the script lists (RECENT). Regenerate with
# scripts/make_common_words.py.
#
# SCOWL is Copyright 2000-2011 by Kevin Atkinson. Permission to use, copy, modify, distribute
# and sell these word lists, the associated scripts, the output created from the scripts, and
# its documentation for any purpose is hereby granted without fee, provided that the above
# copyright notice appears in all copies and that both that copyright notice and this
# permission notice appear in supporting documentation. Kevin Atkinson makes no
# representations about the suitability of this array for any purpose. It is provided "as is"
# without express or implied warranty.
"""


# Everyday words younger than the 2011 lists, which the speller would otherwise "correct" into
# a FAQ's or a trigger's word ("wifi" into "wife", "texting" into "testing", "spam" into "spa").
RECENT = """
app apps bluetooth browser cardio chatbot covid crossfit download emoji emojis facebook google
googled hashtag inbox instagram ipad iphone laptop login logout netflix online paypal pilates
podcast selfie smartphone spam texted texting tiktok uber username vape vaping venmo voicemail
website websites whatsapp wifi youtube zumba
""".split()


def main(paths: list[str]) -> int:
    found: set[str] = set(RECENT)
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            folded = words(line)
            # one plain word; possessives ("boy's") fold into "boys", which the plural covers
            if len(folded) == 1 and folded[0].isalpha() and len(folded[0]) > 1:
                found.add(folded[0])
    sys.stdout.write(NOTICE)
    sys.stdout.writelines(f"{word}\n" for word in sorted(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
