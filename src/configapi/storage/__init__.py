"""Storage behind a narrow async protocol; SQL and driver errors never leave this package."""
