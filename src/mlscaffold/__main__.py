import sys

from mlscaffold.cli import EXIT_INTERRUPTED, main

try:
    code = main()
except KeyboardInterrupt:  # a Ctrl-C that lands after main() returned its own code
    code = EXIT_INTERRUPTED
sys.exit(code)
