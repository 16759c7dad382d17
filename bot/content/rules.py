"""What every content folder must hold: its files, its messages and their placeholders, the limits
of the short ones, and how many questions and answers one conversation token can carry."""

from __future__ import annotations

from collections.abc import Mapping

FILES = ("card.yaml", "conversation.yaml", "messages.yaml", "helplines.yaml")
REFERENCE_LOCALE = "en"

CONTACT_LENGTH = 200
"""The most characters an EAP or coaching contact may have, wherever it is set."""

MAX_ANSWERS = 10  # one digit per answer in the conversation token
MAX_QUESTIONS = 14  # the token carries at most 15 answers, the safety answer included


# Messages whose text becomes a button label.
BUTTON_MESSAGES = (
    "buttons.back",
    "buttons.start_over",
    "buttons.get_help",
    "buttons.continue",
    "buttons.start",
    "buttons.see_card",
    "buttons.take_privately",
    "buttons.back_to_conversation",
)
# Messages shown as a heading (a Slack header block, a Discord title or field name).
HEADER_MESSAGES = (
    "progress",
    "result.heading",
    "result.why_heading",
    "result.next_steps_heading",
    "help.title",
)
# The actions a person can type a letter (or a word) for in the terminal, quit included.
TERMINAL_ACTIONS = ("back", "start_over", "get_help", "see_card", "continue", "start", "quit")
TERMINAL_KEYS = tuple(f"terminal.keys.{action}" for action in TERMINAL_ACTIONS)
TERMINAL_WORDS = tuple(f"terminal.words.{action}" for action in TERMINAL_ACTIONS)
TERMINAL_MESSAGES = (
    *TERMINAL_KEYS,
    *TERMINAL_WORDS,
    "terminal.quit",
    "terminal.goodbye",
    "terminal.hint_numbers",
    "terminal.hint_one",
    "terminal.hint_keys",
    "terminal.hint_quit",
    "terminal.hint_enter",
    "terminal.card_topic",
)
SETTINGS_FIELDS = (
    "region",
    "eap_contact",
    "coaching_contact",
    "locale",
    "card_channels",
    "card_roles",
)
ADMIN_LABELS = tuple(f"admin.labels.{name}" for name in SETTINGS_FIELDS)
ADMIN_MESSAGES = (
    *ADMIN_LABELS,
    "admin.default",
    "admin.no_default_region",
    "admin.fix",
    "admin.fix_line",
    "admin.not_saved",
    "admin.no_stats",
    "admin.no_database",
    *(
        f"admin.errors.{name}"
        for name in (
            "region",
            "too_long",
            "one_line",
            "hidden",
            "plain",
            "link",
            "locale",
            "channel",
            "too_many_channels",
            "role",
            "too_many_roles",
        )
    ),
)
STATS_COUNTERS = ("started", "finished", "coaching", "therapy", "both", "help_shown")
STATS_MESSAGES = (
    "stats.note",
    "stats.none_yet",
    "stats.line",
    "stats.about",
    "stats.fewer_than",
    *(f"stats.rows.{name}" for name in STATS_COUNTERS),
)
# Messages filled in with values at run time, and the values each one must use.
PLACEHOLDERS: Mapping[str, tuple[str, ...]] = {
    "progress": ("number", "total"),
    "result.reason_coaching": ("topic", "text"),
    "result.reason_therapy": ("topic", "text"),
    "result.reason_both": ("topic", "coaching", "therapy"),
    "next_steps.eap": ("contact",),
    "next_steps.coaching": ("contact",),
    "help.emergency": ("number",),
    "help.line": ("name", "contact"),
    "help.elsewhere": ("url",),
    "help.find_a_helpline": ("url",),
    "help.eap": ("contact",),
    "help.last_checked": ("date",),
    "admin.default": ("value",),
    "admin.fix_line": ("label", "problem"),
    "admin.errors.region": ("region", "regions"),
    "admin.errors.too_long": ("limit",),
    "admin.errors.locale": ("locales",),
    "admin.errors.channel": ("value",),
    "admin.errors.role": ("value",),
    "admin.errors.hidden": ("character",),
    "admin.errors.too_many_channels": ("most",),
    "admin.errors.too_many_roles": ("most",),
    "stats.note": ("within",),
    "stats.line": ("label", "total"),
    "stats.about": ("count",),
    "stats.fewer_than": ("count",),
    "terminal.hint_numbers": ("last", "keys"),
    "terminal.hint_one": ("keys",),
    "terminal.hint_keys": ("keys", "key"),
    "terminal.hint_quit": ("key",),
    "terminal.hint_enter": ("key",),
}
# Every message the engine and adapters use; a content folder must define them all.
REQUIRED_MESSAGES = (
    "intro_workplace",
    "progress",
    *BUTTON_MESSAGES,
    "result.heading",
    "result.why_heading",
    "result.reason_coaching",
    "result.reason_therapy",
    "result.reason_both",
    "result.next_steps_heading",
    "result.not_assessment",
    "next_steps.eap",
    "next_steps.eap_unset",
    "next_steps.coaching",
    "next_steps.coaching_unset",
    "help.title",
    "help.intro",
    "help.emergency",
    "help.line",
    "help.elsewhere",
    "help.find_a_helpline",
    "help.eap",
    "help.eap_unset",
    "help.trusted",
    "help.last_checked",
    "help.closing",
    "help.closing_continue",
    "refusals.expired",
    "refusals.foreign",
    "refusals.stale",
    "refusals.content_changed",
    "refusals.tampered",
    "usage",
    "notices.card_not_here",
    "notices.reply_failed",
    "language_name",
    *ADMIN_MESSAGES,
    *STATS_MESSAGES,
    *TERMINAL_MESSAGES,
)
