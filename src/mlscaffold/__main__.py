# The whole module is inside the try (no `import sys` before it): a Ctrl-C that lands on its
# first line, or while the CLI is still being imported, exits quietly too.
try:
    from mlscaffold.cli import main

    code = main()
except KeyboardInterrupt:  # a Ctrl-C that lands after main() returned its own code
    code = 130  # cli.EXIT_INTERRUPTED, without importing the CLI again
raise SystemExit(code)
