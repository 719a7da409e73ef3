"""One module per subcommand; each defines ``configure(parser)`` and ``run(args) -> int``."""
