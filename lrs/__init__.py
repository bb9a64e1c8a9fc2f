"""An event-sourced xAPI Learning Record Store."""
from __future__ import annotations

__version__ = "0.1.0"
