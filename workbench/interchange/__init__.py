"""Readers and writers of the formats workbench imports and exports."""
