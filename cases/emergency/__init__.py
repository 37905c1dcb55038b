"""Nödåtkomst (break the glass, issue 15 §4): the page where a user with the permission takes emergency access."""
