"""API keys: the key store (`keys`), the request dependency (`deps`), per-key rate limits
(`ratelimit`) and the start-up exposure check (`exposure`).

Nothing is re-exported here: `app.services` imports `app.auth.keys`, and `app.auth.deps`
imports `app.services`; importing submodules directly keeps that free of cycles.
"""
