"""Gallring: the system administrator's view of what retention will delete (counts only, no names)."""
