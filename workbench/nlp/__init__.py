"""NLP: the only package that builds spaCy pipelines.

suggest (builds the pipeline, in one place), the registered components
(casualty_rules), train and evaluate (scoring, which needs no spaCy). Callers get
`model.Span`s with character offsets, never spaCy objects. Importing this package
loads nothing heavy; each module imports spaCy itself where it needs it.
"""
