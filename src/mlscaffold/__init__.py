"""mlscaffold: generate ML projects that start right; score existing ones against a checklist."""

__version__ = "0.1.0"
