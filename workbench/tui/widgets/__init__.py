"""The annotator's widgets: the text, the span list, the header and status lines."""
