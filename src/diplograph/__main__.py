"""`python -m diplograph` runs the command line."""

from diplograph.cli import main

main()
