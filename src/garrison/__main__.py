"""`python -m garrison` entry point."""

from garrison.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
