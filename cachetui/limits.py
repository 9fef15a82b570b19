"""The limits on what a mirror may cost, in one light module (the CLI's ``--help`` imports it
without the network code). UI-free."""

from __future__ import annotations

MB = 1_000_000  # what every "MB" in options and messages means
DEFAULT_TIMEOUT = 30.0  # seconds of silence on a connection
# A download, and what a gzip-compressed index inflates to: the largest real index (develop,
# about a million specs) is well under this.
DEFAULT_MAX_DOWNLOAD_MB = 512.0
DEFAULT_DOWNLOAD_DEADLINE = 300.0  # seconds for a whole download
