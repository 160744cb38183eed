"""Reminders and the outbox dispatcher.

APScheduler only ticks (:mod:`scheduler.tick`); the database holds what is due. A tick plans
follow-up digests, escalations and report-deadline reminders into the outbox with deterministic
keys; the dispatcher (:mod:`scheduler.dispatcher`) sends outbox rows through a :class:`Sender`
within the channel's limits. Imports only ``storage`` and ``poverty``.
"""
