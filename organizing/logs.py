"""Log lines in UTC, saying so, from every process: the organization's TIME_ZONE is for people.

Django sets the process's time zone to TIME_ZONE when it loads, after which ``time.localtime``
(what logging and gunicorn use by default) answers in it; settings.py makes logging format in
UTC, and this logger class does the same for gunicorn's master, which never loads Django, and
for its access log, which formats its own times.
"""

from __future__ import annotations

import time

from gunicorn import glogging


class GunicornLogger(glogging.Logger):
    """gunicorn's logger with its times in UTC (``gunicorn --logger-class``)."""

    datefmt = "[%Y-%m-%d %H:%M:%S UTC]"

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if handler.formatter is not None:
                    handler.formatter.converter = time.gmtime

    def now(self) -> str:
        return time.strftime("[%d/%b/%Y:%H:%M:%S +0000]", time.gmtime())
