"""Scoring half of mlscaffold: read a repository once, judge it against the checklist, report.

Layers, each ignorant of the next: ``index`` (facts) -> ``detectors``/``rules`` (verdicts)
-> ``scoring`` (findings and scores) -> ``render`` (text, JSON, Markdown, SARIF...).
Nothing here imports the generation half, and nothing here executes the scanned repository.
"""
