"""The annotator's screens: annotate, help, and the small forms."""
