"""Delivery: the inbox every update goes through, the outbox every send goes through,
and the sender that drains the outbox within a chat app's limits.

See the README's architecture section for the path of an update and of a message.
"""
