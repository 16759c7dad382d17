"""`/coach-or-therapy-admin settings|stats`: a server's settings form and anonymous totals.

Discord shows the command only to members with Manage Server (servers can change that in their
Integrations settings), so each use checks the permission again before doing anything.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from adapters.admin import WorkspaceAdmin, label, outcome_text
from adapters.discord.limits import PLACEHOLDER as DISCORD_PLACEHOLDER
from adapters.discord.translator import command_text
from adapters.storage.interface import WorkspacePrefs
from bot.model import Messages

_log = logging.getLogger(__name__)

ADMIN_COMMAND = "coach-or-therapy-admin"

Interaction = discord.Interaction[Any]


def _allowed(interaction: Interaction) -> str | None:
    """Why this member may not use the admin command here (a message key), or None."""
    if interaction.guild_id is None:
        return "discord.admin.not_in_server"
    if not interaction.permissions.manage_guild:
        return "discord.admin.not_admin"
    return None


def admin_words(admin: WorkspaceAdmin, interaction: Interaction) -> Messages:
    """The admin's own language (their Discord client's), else the default."""
    return admin.words(str(interaction.locale))


class SettingsForm(discord.ui.Modal):
    """The server's settings in the admin's language, filled in with what is stored; blank
    means the default."""

    def __init__(
        self, admin: WorkspaceAdmin, prefs: WorkspacePrefs, guild: str, words: Messages
    ) -> None:
        super().__init__(title=words["discord.admin.form_title"], timeout=15 * 60)
        self.admin = admin
        self.guild = guild
        self.words = words
        settings = admin.runtime.settings
        regions = ", ".join(admin.regions)
        default_region = settings.default_region or words["admin.no_default_region"]
        region_hint = words.format(
            "discord.admin.region_placeholder", default=default_region, regions=regions
        )
        self.fields: dict[str, discord.ui.TextInput[Any]] = {
            "region": discord.ui.TextInput(
                label=label(words, "region"),
                placeholder=region_hint[:DISCORD_PLACEHOLDER],
                default=prefs.region or "",
                required=False,
                max_length=2,
            ),
            "eap_contact": discord.ui.TextInput(
                label=label(words, "eap_contact"),
                placeholder=words["discord.admin.contact_placeholder"],
                default=prefs.eap_contact or "",
                required=False,
                max_length=300,
            ),
            "coaching_contact": discord.ui.TextInput(
                label=label(words, "coaching_contact"),
                placeholder=words["discord.admin.contact_placeholder"],
                default=prefs.coaching_contact or "",
                required=False,
                max_length=300,
            ),
            "locale": discord.ui.TextInput(
                label=label(words, "locale"),
                placeholder=words.format(
                    "discord.admin.locale_placeholder", default=settings.default_locale
                ),
                default=prefs.locale or "",
                required=False,
                max_length=10,
            ),
            "card_roles": discord.ui.TextInput(
                label=label(words, "card_roles"),
                placeholder=words["discord.admin.roles_placeholder"],
                default=", ".join(prefs.card_roles),
                required=False,
                max_length=400,
            ),
        }
        for field in self.fields.values():
            self.add_item(field)

    async def on_submit(self, interaction: Interaction) -> None:
        """Check every field; save when all are sensible, else say what to fix."""
        why = _allowed(interaction)
        if why is None and str(interaction.guild_id) != self.guild:
            why = "discord.admin.not_in_server"
        if why is not None:
            await interaction.response.send_message(self.words[why], ephemeral=True)
            return
        # a database that is slow to answer must not outlast Discord's 3 seconds
        await interaction.response.defer(ephemeral=True, thinking=True)
        form = {name: field.value for name, field in self.fields.items()}
        outcome = await self.admin.save(self.guild, form)
        text = outcome_text(outcome, "discord.admin.saved", self.words)
        await interaction.edit_original_response(content=text)

    # the signature of discord.py's own Modal.on_error, which narrows its base class's
    async def on_error(self, interaction: Interaction, error: Exception, /) -> None:  # type: ignore[override]
        """Never a trace to the person: one kind line, and the kind of error in the log."""
        _log.warning("settings form failed (%s)", type(error).__name__)
        text = self.words["admin.not_saved"]
        if not interaction.response.is_done():
            await interaction.response.send_message(text, ephemeral=True)
        else:
            await interaction.edit_original_response(content=text)


class Admin:
    """Answers the admin command."""

    def __init__(self, admin: WorkspaceAdmin) -> None:
        self.admin = admin

    async def settings(self, interaction: Interaction) -> None:
        """Open the settings form for this server."""
        words = admin_words(self.admin, interaction)
        if not self.admin.available:
            await interaction.response.send_message(words["admin.no_database"], ephemeral=True)
            return
        guild = str(interaction.guild_id)
        prefs = await self.admin.current(guild)
        await interaction.response.send_modal(SettingsForm(self.admin, prefs, guild, words))

    async def stats(self, interaction: Interaction) -> None:
        """This server's last months, small numbers hidden."""
        words = admin_words(self.admin, interaction)
        if not self.admin.available:
            await interaction.response.send_message(words["admin.no_database"], ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        text = await self.admin.stats(str(interaction.guild_id), words)
        await interaction.edit_original_response(content=text[:2000])

    async def on_command(self, interaction: Interaction, action: str) -> None:
        """Check who is asking, then open the form or show the totals."""
        why = _allowed(interaction)
        if why is not None:
            words = admin_words(self.admin, interaction)
            await interaction.response.send_message(words[why], ephemeral=True)
            return
        try:
            if action == "stats":
                await self.stats(interaction)
            else:
                await self.settings(interaction)
        except discord.HTTPException as exc:
            _log.warning("admin command reply refused (HTTP %s)", exc.status)


def build_admin_command(workspaces: WorkspaceAdmin) -> app_commands.Command[Any, Any, None]:
    """The admin command, shown by default only to members with Manage Server."""
    admin = Admin(workspaces)
    book = workspaces.runtime.book

    @app_commands.command(
        name=ADMIN_COMMAND, description=command_text(book, "discord.command.admin_description")
    )
    @app_commands.describe(action=command_text(book, "discord.command.admin_action"))
    @app_commands.choices(
        action=[
            app_commands.Choice(
                name=command_text(book, f"discord.command.admin_{value}"), value=value
            )
            for value in ("settings", "stats")
        ]
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.allowed_contexts(guilds=True, dms=False, private_channels=False)
    @app_commands.allowed_installs(guilds=True, users=False)
    async def coach_or_therapy_admin(
        interaction: discord.Interaction[Any], action: app_commands.Choice[str]
    ) -> None:
        await admin.on_command(interaction, action.value)

    return coach_or_therapy_admin
