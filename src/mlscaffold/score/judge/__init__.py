"""Judging: the checklist as data, detectors and rules (facts -> verdicts), scores and levels."""
