"""Aviseringar (issue 15 §5): the page listing a user's notifications, mark as read, the choice per kind, the count."""
