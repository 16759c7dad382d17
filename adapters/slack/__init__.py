"""Slack: Bolt app, Block Kit rendering, HTTP endpoint, Socket Mode and the card poster."""
