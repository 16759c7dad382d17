"""The terminal: the conversation, the printed card and content checks."""
