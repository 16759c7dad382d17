"""The bot's words: one folder of YAML files per locale (en/ first)."""

from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent
