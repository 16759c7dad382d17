"""The established emergency and crisis-line numbers per region (DOMAIN.md), for tests to check."""

ESTABLISHED = {
    "US": ("911", "988"),
    "CA": ("911", "988"),
    "GB": ("999", "116 123"),
    "IE": ("112", "116 123"),
    "AU": ("000", "13 11 14"),
    "NZ": ("111", "1737"),
    "FR": ("112", "3114"),
    "DE": ("112", "0800 111 0 111"),
    "AT": ("112", "142"),
    "CH": ("112", "143"),
    "BE": ("112", "0800 32 123"),
    "ES": ("112", "024"),
    "MX": ("911", "800 911 2000"),
    "IN": ("112", "14416"),
}
"""Region -> (emergency number, a crisis line's number)."""
