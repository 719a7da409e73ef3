"""Scoring half of mlscaffold: read a repository once, judge it against the checklist, report.

Three layers, each ignorant of the next:

- ``read``: the walk, the one read of file contents, and the facts gathered into a ``RepoIndex``;
- ``judge``: the checklist as data, the detector kinds and named rules that turn facts into
  verdicts, and the engine that turns verdicts into findings and scores;
- ``report``: renderers (terminal, JSON, Markdown, SARIF, badge, HTML), diffs and org views.

Nothing here imports the generation half, and nothing here executes the scanned repository.
"""
