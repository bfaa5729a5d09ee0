"""``python -m cvlogs``: the command line."""

from cvlogs.cli import main

if __name__ == "__main__":
    main()
