"""The Zalo Official Account channel: the OA Open API over httpx, a webhook on tornado.

Modules, each with one job: `signature` checks that a webhook request comes from Zalo,
`webhook` serves it into the inbox, `convert` turns events into `Incoming`, `render`
turns a `Reply` into plain-text messages with buttons, `api` makes the HTTP calls,
`errors` maps Zalo's error codes to the delivery errors, `tokens` keeps the access
token fresh, `window` decides how a message may reach a person, and `channel` puts
them together.
"""

CHANNEL = "zalo"
