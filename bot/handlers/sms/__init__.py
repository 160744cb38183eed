"""The SMS channel for feature phones: a signed inbound webhook, replies rendered as GSM-7
text without tone marks, and an outbound gateway client the outbox dispatcher sends through.

- :mod:`~bot.handlers.sms.webhook` the route; :mod:`~bot.handlers.sms.inbox` what happens to an
  inbound text (engine, loop guard, reply queued in the same transaction);
- :mod:`~bot.handlers.sms.generic` and :mod:`~bot.handlers.sms.smsgate` the gateways (inbound
  signature and shape, outbound request); :mod:`~bot.handlers.sms.client` what senders share;
- :mod:`~bot.handlers.sms.render` and :mod:`~bot.handlers.sms.gsm7` the text;
- :mod:`~bot.handlers.sms.senders` who is never answered (operators, short codes, auto-replies).
"""
