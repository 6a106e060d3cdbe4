"""The Textual annotator: app, screens, widgets. Imported only by `workbench annotate`."""
