"""The roster and person identity: the staff roster as events, and the agent identifiers people are known by.

Both the write side (``lrs roster import``, linking identifiers) and the read models (people, transcript,
compliance) use these modules, so the rule for "which agent is which person" has one home.
"""
