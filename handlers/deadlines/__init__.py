"""Deadlines, reminders and broadcasts.

- `spec`: the deadline file format (the contract provinces and tests rely on).
- `schedule`: occurrences, recurrence and reminder moments, in Vietnam time.
- `targeting`: who a deadline concerns.
- `sweep`: what is due now, claimed in the delivery ledger and written as digests.
- `digest`, `buttons`: the messages and their buttons.
- `officials`, `staff`, `broadcasts`: the chat commands.
"""
