"""The Discord bot: a private thread per walk-through, buttons that survive restarts, the card."""
