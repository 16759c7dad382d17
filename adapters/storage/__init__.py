"""Storage: Slack installations, per-workspace settings and monthly anonymous counts."""

import logging

# Alembic narrates every plugin and step at INFO; what changed is reported by our own lines.
logging.getLogger("alembic").setLevel(logging.WARNING)
