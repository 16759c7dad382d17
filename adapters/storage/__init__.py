"""Storage: Slack installations, per-workspace settings and monthly anonymous counts."""

import logging

# Alembic narrates every plugin and step at INFO; what changed is reported by our own lines.
logging.getLogger("alembic").setLevel(logging.WARNING)
# psycopg warns of each connection it finds dead on the way out; the outage is reported once by
# our own line instead (see health.py).
logging.getLogger("psycopg").setLevel(logging.ERROR)
