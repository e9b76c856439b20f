"""``python -m nlptransfer``: the same as the ``nlptransfer`` command."""

from nlptransfer.cli.main import main

if __name__ == "__main__":
    main()
