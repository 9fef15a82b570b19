import sys

from .cli import main

# Guarded: parsing subprocesses are spawned, and spawning re-imports the main module.
if __name__ == "__main__":
    sys.exit(main())
