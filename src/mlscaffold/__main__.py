import sys

try:  # a Ctrl-C while the CLI is still being imported exits quietly too
    from mlscaffold.cli import main

    code = main()
except KeyboardInterrupt:  # a Ctrl-C that lands after main() returned its own code
    code = 130  # cli.EXIT_INTERRUPTED, without importing the CLI again
sys.exit(code)
