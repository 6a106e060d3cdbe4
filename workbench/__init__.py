"""workbench: a terminal annotation workbench for news text."""

__version__ = "0.1.0"
