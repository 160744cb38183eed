"""The Telegram channel (aiogram 3): long polling or a webhook, inline keyboards for choices.

- :mod:`~bot.handlers.telegram.setup`: the bot, the dispatcher and the command menu;
- :mod:`~bot.handlers.telegram.routers`: the thin handlers that hand every update to the engine;
- :mod:`~bot.handlers.telegram.rendering`: text splitting, keyboards, callback data;
- :mod:`~bot.handlers.telegram.sender`: sending replies and files, waiting out 429s;
- :mod:`~bot.handlers.telegram.ordering`: one update at a time per chat;
- :mod:`~bot.handlers.telegram.webhook`: the webhook route and ``setWebhook``;
- :mod:`~bot.handlers.telegram.service`: serving until SIGTERM.

No business rule lives here: what to ask, who may see what and what is stored are the
engine's and the flows' (``bot/flows``).
"""
