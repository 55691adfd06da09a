"""In-portal notifications and the reminder sweep (issue 5)."""
