"""The Django-free core of the plan: rules, deadlines, working days, identity numbers, case facts.

Nothing here imports Django or the database, so the rules can be read, tested and reused
(services, the data generator) on plain values.
"""
