"""Parsers of repository content. Each takes text or bytes and never raises on bad input."""
