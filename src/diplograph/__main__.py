"""`python -m diplograph` runs the command line."""

from diplograph.cli import main

if __name__ == "__main__":  # not when a worker process re-imports it
    main()
