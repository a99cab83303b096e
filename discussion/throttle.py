"""How often an account may post: counted in Django's cache (Redis when REDIS_URL is set), so the limits
hold across app servers.

- LIMITS: at most 10 posts a minute and 100 a day per account, for comments (replies included) and,
  counted apart, for topics added. Counted in fixed windows (this minute, this day).
- The same text twice within DUPLICATE_SECONDS, on the same meeting or insight, is refused: a second
  press of "Post" or a form sent twice does not post twice.
"""

import hashlib
import time

from django.core.cache import cache

# (seconds, most posts in that time, how a person says it, when to come back)
LIMITS = [(60, 10, "a minute", "in a minute"), (24 * 60 * 60, 100, "a day", "tomorrow")]
DUPLICATE_SECONDS = 60


def _window_key(kind, user, seconds, now):
    return f"discussion:{kind}:{user.pk}:{seconds}:{int(now // seconds)}"


def refusal(kind, user, *, noun="comments"):
    """The friendly message when `user` has posted as many `kind` as they may for now; None when they may post."""
    now = time.time()
    for seconds, most, span, later in LIMITS:
        if (cache.get(_window_key(kind, user, seconds, now)) or 0) >= most:
            return (
                f"You have posted {most} {noun} in {span}, which is as many as we allow. "
                f"Please try again {later}: your text is kept below."
            )
    return None


def count(kind, user):
    """One more post by `user` in each window."""
    now = time.time()
    for seconds, *_rest in LIMITS:
        key = _window_key(kind, user, seconds, now)
        cache.add(key, 0, timeout=seconds + 5)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=seconds + 5)


def first_time(user, place, text):
    """True the first time in DUPLICATE_SECONDS that `user` sends `text` to `place` (then remembered);
    False for the same again."""
    digest = hashlib.sha256(f"{place}\n{text.strip()}".encode()).hexdigest()
    return cache.add(f"discussion:same:{user.pk}:{digest}", 1, timeout=DUPLICATE_SECONDS)


def forget(user, place, text):
    """Undo first_time (the post failed after it was asked)."""
    digest = hashlib.sha256(f"{place}\n{text.strip()}".encode()).hexdigest()
    cache.delete(f"discussion:same:{user.pk}:{digest}")
