"""Earshot's date formats in Spanish (FORMAT_MODULE_PATH): day before month, 24-hour clock,
as a Spanish-speaking organizer writes them."""

DATE_FORMAT = r"j \d\e F \d\e Y"  # 1 de diciembre de 2026
DATETIME_FORMAT = r"j b Y, H:i"  # 1 dic 2026, 17:30
TIME_FORMAT = "H:i"  # 17:30
MONTH_DAY_FORMAT = "j b"  # 1 dic
SHORT_DATE_FORMAT = "j b Y"  # 1 dic 2026
SHORT_DATETIME_FORMAT = "D j b Y, H:i"  # Mar 1 dic 2026, 17:30
# As Spanish speakers in the United States and Mexico write numbers: 1,234.5.
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
