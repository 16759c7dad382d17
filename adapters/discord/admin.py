"""`/coach-or-therapy-admin settings|stats`: a server's settings form and anonymous totals.

Discord shows the command only to members with Manage Server (servers can change that in their
Integrations settings), so each use checks the permission again before doing anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands

from adapters.runtime import Runtime
from adapters.storage.stats import stats_text
from adapters.storage.validation import Invalid, validate_prefs
from adapters.storage.workspaces import DatabaseWorkspaces
from adapters.workspaces import WorkspacePrefs, Workspaces

_log = logging.getLogger(__name__)

ADMIN_COMMAND = "coach-or-therapy-admin"
NOT_ADMIN = "Only members with Manage Server can change or see these; ask one of them."
NOT_IN_SERVER = "These settings belong to a server; use the command in one."
NO_DATABASE = "Settings and totals need the bot's database, which this installation does not use."
NOT_SAVED = "The settings could not be saved just now; nothing changed. Please try again shortly."
NO_STATS = "The totals can't be read just now; please try again in a minute."
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

    def __init__(
        self,
        runtime: Runtime,
        workspaces: DatabaseWorkspaces,
        prefs: WorkspacePrefs,
        on_saved: Callable[[str], None] = lambda workspace: None,
    ):
        super().__init__(title="coach-or-therapy settings", timeout=15 * 60)
        self.runtime = runtime
        self.workspaces = workspaces
        self.stored = prefs
        self.on_saved = on_saved
        regions = ", ".join(sorted(runtime.book.content().helplines.regions))
        default_region = runtime.settings.default_region or "none"
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
                placeholder=f"Blank: {runtime.settings.default_locale}",
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
        if why is not None:
            await interaction.response.send_message(why, ephemeral=True)
            return
        raw = {name: field.value for name, field in self.fields.items()}
        checked = validate_prefs(
            raw,
            regions=self.runtime.book.content().helplines.regions.keys(),
            locales=self.runtime.book.contents.keys(),
        )
        if isinstance(checked, Invalid):
            lines = [f"• {LABELS[name]}: {problem}" for name, problem in checked.errors.items()]
            text = "Nothing was saved. Please fix:\n" + "\n".join(lines)
            await interaction.response.send_message(text, ephemeral=True)
            return
        guild = str(interaction.guild_id)
        # Channels are not on this form (five fields at most); keep what is stored.
        prefs = WorkspacePrefs(
            region=checked.region,
            eap_contact=checked.eap_contact,
            coaching_contact=checked.coaching_contact,
            locale=checked.locale,
            card_channels=self.stored.card_channels,
            card_roles=checked.card_roles,
        )
        try:
            await self.workspaces.save_prefs("discord", guild, prefs)
        except Exception as exc:
            _log.warning("could not save server settings (%s)", type(exc).__name__)
            await interaction.response.send_message(NOT_SAVED, ephemeral=True)
            return
        _log.info("server settings saved")
        self.on_saved(guild)
        await interaction.response.send_message(SAVED, ephemeral=True)

    async def on_error(self, interaction: Interaction, error: Exception, /) -> None:
        """Never a trace to the person: one kind line, and the kind of error in the log."""
        _log.warning("settings form failed (%s)", type(error).__name__)
        if not interaction.response.is_done():
            await interaction.response.send_message(NOT_SAVED, ephemeral=True)


class Admin:
    """Answers the admin command."""

    def __init__(
        self,
        runtime: Runtime,
        workspaces: Workspaces | None,
        on_saved: Callable[[str], None] = lambda workspace: None,
    ) -> None:
        self.runtime = runtime
        self.workspaces = workspaces
        self.on_saved = on_saved

    async def settings(self, interaction: Interaction) -> None:
        """Open the settings form for this server."""
        if not isinstance(self.workspaces, DatabaseWorkspaces):
            await interaction.response.send_message(NO_DATABASE, ephemeral=True)
            return
        prefs = await self.workspaces.prefs("discord", str(interaction.guild_id))
        form = SettingsForm(self.runtime, self.workspaces, prefs, self.on_saved)
        await interaction.response.send_modal(form)

    async def stats(self, interaction: Interaction) -> None:
        """This server's last months, small numbers hidden."""
        if not isinstance(self.workspaces, DatabaseWorkspaces):
            await interaction.response.send_message(NO_DATABASE, ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            months = await self.workspaces.stats("discord", str(interaction.guild_id))
        except Exception as exc:
            _log.warning("could not read the totals (%s)", type(exc).__name__)
            await interaction.edit_original_response(content=NO_STATS)
            return
        await interaction.edit_original_response(content=stats_text(months)[:2000])

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


def build_admin_command(
    runtime: Runtime,
    workspaces: Workspaces | None,
    on_saved: Callable[[str], None] = lambda workspace: None,
) -> app_commands.Command[Any, Any, None]:
    """The admin command, shown by default only to members with Manage Server.

    `on_saved(server_id)` is called after new settings are stored (to drop cached ones).
    """
    admin = Admin(runtime, workspaces, on_saved)

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
