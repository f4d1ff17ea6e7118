"""The Telegram channel: python-telegram-bot on one side, the dispatcher on the other.

Modules, each with one job: `app` builds the PTB Application (rate limiter, Bot API
address), `convert` turns updates into `Incoming`, `render` turns a `Reply` into HTML
messages and keyboards, `send` delivers them, `limits` is the per-person flood limit,
`bridge` wires these into PTB handlers, `serve` runs polling or the webhook, `lock` keeps
one instance per bot and `redact` keeps the token out of the logs.
"""

CHANNEL = "telegram"
