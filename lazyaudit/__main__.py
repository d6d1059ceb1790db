"""`python -m lazyaudit`."""

from __future__ import annotations

import os
import sys


def _drop_working_folder() -> None:
    # `python -m` puts the working folder first on sys.path. When that folder is the analysed project, a
    # module of it named like one lazyaudit imports later (json.py, yaml.py, email.py) would run in this
    # process. lazyaudit itself is already imported, and its submodules load through its own __path__.
    try:
        cwd = os.getcwd()
    except OSError:
        cwd = ""
    if sys.path and sys.path[0] in ("", cwd):
        del sys.path[0]


_drop_working_folder()

from lazyaudit.cli import main

raise SystemExit(main())
