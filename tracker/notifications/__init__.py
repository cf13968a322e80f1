"""Notifications: who hears of an event (``audience``), what they read (``texts``),
the one entry point services call (``events.notify``), the outbox that sends email
and group-chat posts after the commit (``outbox``) and the daily digests
(``digests``).

A send that fails is logged and left in the outbox for the next run; it never
raises into the caller.
"""
