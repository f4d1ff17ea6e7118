"""Deadlines, reminders and broadcasts.

- `spec`: the deadline file format (the contract provinces and tests rely on).
- `settings`: the `[reminders]` settings handlers see.
- `schedule`: occurrences, recurrence and reminder times, in Vietnam time.
- `targeting`, `progress`: who a deadline concerns, and who has confirmed it.
- `sweep`: what is due now, claimed in the delivery ledger and written as digests.
- `digest`, `staff_report`, `buttons`: the messages and their buttons.
- `officials`, `staff`, `broadcasts`, `router`: the chat commands and presses.
"""
