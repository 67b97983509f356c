"""`python -m bot`: the same as the `faq-bot` command."""

from bot.cli import main

raise SystemExit(main())
