"""`python -m lazyaudit`."""

from lazyaudit.cli import main

raise SystemExit(main())
