"""What every content folder must hold: its files, its messages and their placeholders, and how
many questions and answers one conversation token can carry."""

from __future__ import annotations

from collections.abc import Mapping

FILES = ("card.yaml", "conversation.yaml", "messages.yaml", "helplines.yaml")
REFERENCE_LOCALE = "en"

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
)
