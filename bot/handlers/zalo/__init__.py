"""The Zalo Official Account channel (OA API v3), served over a webhook on the shared HTTP server.

- :mod:`~bot.handlers.zalo.signature`: checking ``X-ZEvent-Signature`` over the raw body;
- :mod:`~bot.handlers.zalo.events`: the webhook events this channel reads;
- :mod:`~bot.handlers.zalo.rendering`: replies as Zalo messages (text pieces, quick replies);
- :mod:`~bot.handlers.zalo.tokens`: the access token, refreshed before it runs out;
- :mod:`~bot.handlers.zalo.client`: the thin HTTP client for ``/v3.0/oa/message/cs``;
- :mod:`~bot.handlers.zalo.conversation`: one event through the engine and the replies out;
- :mod:`~bot.handlers.zalo.webhook`: the route, answering Zalo at once;
- :mod:`~bot.handlers.zalo.outbox`: reminders and digests, inside the free-reply window or SMS;
- :mod:`~bot.handlers.zalo.setup`: everything ``giamngheo run`` needs, built in one call.

No business rule lives here: what to ask, who may see what and what is stored are the
engine's and the flows' (``bot/flows``).
"""
