"""`/coach-or-therapy-admin settings|stats`: a server's settings form and anonymous totals.

Discord shows the command only to members with Manage Server (servers can change that in their
Integrations settings), so each use checks the permission again before doing anything.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from adapters.admin import WORDS, NotSaved, Saved, WorkspaceAdmin, fix_list
from adapters.storage.interface import WorkspacePrefs

_log = logging.getLogger(__name__)

ADMIN_COMMAND = "coach-or-therapy-admin"
NOT_ADMIN = "Only members with Manage Server can change or see these; ask one of them."
NOT_IN_SERVER = "These settings belong to a server; use the command in one."
SAVED = "Saved. New walk-throughs on this server use these settings."
LABELS = {
    "region": "Region for urgent helplines",
    "eap_contact": "EAP contact",
    "coaching_contact": "Coaching contact",
    "locale": "Language",
    "card_roles": "Roles that may post the card",
}

Interaction = discord.Interaction[Any]


def _allowed(interaction: Interaction) -> str | None:
    """Why this member may not use the admin command here, or None when they may."""
    if interaction.guild_id is None:
        return NOT_IN_SERVER
    if not interaction.permissions.manage_guild:
        return NOT_ADMIN
    return None


class SettingsForm(discord.ui.Modal):
    """The server's settings, filled in with what is stored; blank means the default."""

    def __init__(self, admin: WorkspaceAdmin, prefs: WorkspacePrefs, guild: str) -> None:
        super().__init__(title="coach-or-therapy settings", timeout=15 * 60)
        self.admin = admin
        self.guild = guild
        settings = admin.runtime.settings
        regions = ", ".join(admin.regions)
        default_region = settings.default_region or "none"
        self.fields: dict[str, discord.ui.TextInput[Any]] = {
            "region": discord.ui.TextInput(
                label=LABELS["region"],
                placeholder=f"Blank: {default_region}. One of {regions}"[:100],
                default=prefs.region or "",
                required=False,
                max_length=2,
            ),
            "eap_contact": discord.ui.TextInput(
                label=LABELS["eap_contact"],
                placeholder="Plain text or an https:// link; blank uses the default",
                default=prefs.eap_contact or "",
                required=False,
                max_length=300,
            ),
            "coaching_contact": discord.ui.TextInput(
                label=LABELS["coaching_contact"],
                placeholder="Plain text or an https:// link; blank uses the default",
                default=prefs.coaching_contact or "",
                required=False,
                max_length=300,
            ),
            "locale": discord.ui.TextInput(
                label=LABELS["locale"],
                placeholder=f"Blank: {settings.default_locale}",
                default=prefs.locale or "",
                required=False,
                max_length=10,
            ),
            "card_roles": discord.ui.TextInput(
                label=LABELS["card_roles"],
                placeholder="Role ids, comma-separated; blank: anyone with Manage Messages",
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
            why = NOT_IN_SERVER
        if why is not None:
            await interaction.response.send_message(why, ephemeral=True)
            return
        # a database that is slow to answer must not outlast Discord's 3 seconds
        await interaction.response.defer(ephemeral=True, thinking=True)
        form = {name: field.value for name, field in self.fields.items()}
        outcome = await self.admin.save(self.guild, form)
        if isinstance(outcome, Saved):
            text = SAVED
        elif isinstance(outcome, NotSaved):
            text = WORDS["not_saved"]
        else:
            text = fix_list(outcome, LABELS)
        await interaction.edit_original_response(content=text)

    # the signature of discord.py's own Modal.on_error, which narrows its base class's
    async def on_error(self, interaction: Interaction, error: Exception, /) -> None:  # type: ignore[override]
        """Never a trace to the person: one kind line, and the kind of error in the log."""
        _log.warning("settings form failed (%s)", type(error).__name__)
        if not interaction.response.is_done():
            await interaction.response.send_message(WORDS["not_saved"], ephemeral=True)
        else:
            await interaction.edit_original_response(content=WORDS["not_saved"])


class Admin:
    """Answers the admin command."""

    def __init__(self, admin: WorkspaceAdmin) -> None:
        self.admin = admin

    async def settings(self, interaction: Interaction) -> None:
        """Open the settings form for this server."""
        if not self.admin.available:
            await interaction.response.send_message(WORDS["no_database"], ephemeral=True)
            return
        guild = str(interaction.guild_id)
        prefs = await self.admin.current(guild)
        await interaction.response.send_modal(SettingsForm(self.admin, prefs, guild))

    async def stats(self, interaction: Interaction) -> None:
        """This server's last months, small numbers hidden."""
        if not self.admin.available:
            await interaction.response.send_message(WORDS["no_database"], ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        text = await self.admin.stats(str(interaction.guild_id))
        await interaction.edit_original_response(content=text[:2000])

    async def on_command(self, interaction: Interaction, action: str) -> None:
        """Check who is asking, then open the form or show the totals."""
        why = _allowed(interaction)
        if why is not None:
            await interaction.response.send_message(why, ephemeral=True)
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

    @app_commands.command(
        name=ADMIN_COMMAND, description="This server's settings and anonymous totals"
    )
    @app_commands.describe(action="What to open")
    @app_commands.choices(
        action=[
            app_commands.Choice(
                name="settings: region, contacts, language, card roles", value="settings"
            ),
            app_commands.Choice(name="stats: anonymous monthly totals", value="stats"),
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
