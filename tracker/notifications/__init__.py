"""Notifications: who hears of an event (``audience``), what they read (``texts``),
the one entry point services call (``events.notify``), the outbox that hands every
email and group-chat post to the worker after the commit (``outbox``), the group
robots' formats, limits and signing (``robots``), the daily digests (``digests``)
and the worker's heartbeat (``heartbeat``).

A send that fails is logged, kept in the outbox with the server's answer and
retried by the worker within minutes; it never raises into the caller.
"""
