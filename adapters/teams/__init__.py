"""Microsoft Teams: the bot on the Bot Framework protocol, through the Microsoft 365 Agents SDK."""
