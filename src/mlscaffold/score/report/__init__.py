"""Reporting: render a scored report for people and machines, compare reports, join many."""
