"""``python -m brief.cli``: the ``brief`` command."""

from brief.cli import main

if __name__ == "__main__":
    main()
