"""Filters of the logging configuration (settings.LOGGING)."""

import logging


class OneLineForbidden(logging.Filter):
    """Log a refused request (403) as one line: Django's request logger attaches the PermissionDenied traceback,
    which says nothing an operator needs and buries real errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
