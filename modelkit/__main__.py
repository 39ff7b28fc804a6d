"""``python -m modelkit``: the command line."""

from modelkit.cli import main

main()
