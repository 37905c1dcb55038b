"""python -m loadtest: see loadtest/__init__.py."""

# locust runs on gevent; patch the standard library before anything else imports it (ssl, socket, subprocess).
from gevent import monkey

monkey.patch_all()

import sys  # noqa: E402

from loadtest.run import main  # noqa: E402

sys.exit(main())
