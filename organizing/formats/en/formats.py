"""Earshot's date formats in English (FORMAT_MODULE_PATH): templates name these settings
(``|date:"SHORT_DATE_FORMAT"``) rather than a pattern, so each language reads its own."""

DATE_FORMAT = "F j, Y"  # December 1, 2026
DATETIME_FORMAT = "M j, Y g:i A"  # Dec 1, 2026 5:30 PM
TIME_FORMAT = "g:i A"  # 5:30 PM
MONTH_DAY_FORMAT = "M j"  # Dec 1
SHORT_DATE_FORMAT = "M j, Y"  # Dec 1, 2026
SHORT_DATETIME_FORMAT = "D M j, Y g:i A"  # Tue Dec 1, 2026 5:30 PM
