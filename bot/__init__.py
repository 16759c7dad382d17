"""The coach-or-therapy conversation engine: pure, platform-agnostic, no network and no clock."""

__version__ = "0.1.0"
