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


def take(kind, user, *, noun="comments"):
    """Count one more post of `kind` by `user` in each window and return None; or, when that would be more
    than they may post for now, count nothing and return the friendly message. Counted with the cache's
    atomic increment, so posts sent at the same moment (several workers, several app servers) cannot pass the
    limit together: each sees the count its own increment made. give_back() when the post is not made after all."""
    now = time.time()
    taken = []
    for seconds, most, span, later in LIMITS:
        key = _window_key(kind, user, seconds, now)
        taken.append(key)
        if _increment(key, seconds) > most:
            for counted in taken:
                _decrement(counted)
            return (
                f"You have posted {most} {noun} in {span}, which is as many as we allow. "
                f"Please try again {later}: your text is kept below."
            )
    return None


def give_back(kind, user):
    """Uncount a post take() counted (it was refused or failed after all)."""
    now = time.time()
    for seconds, *_rest in LIMITS:
        _decrement(_window_key(kind, user, seconds, now))


def _increment(key, seconds):
    cache.add(key, 0, timeout=seconds + 5)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr (or the cache is away: core/cache.py)
        cache.set(key, 1, timeout=seconds + 5)
        return 1


def _decrement(key):
    try:
        cache.decr(key)
    except ValueError:  # expired meanwhile: nothing to give back
        pass


def first_time(user, place, text):
    """True the first time in DUPLICATE_SECONDS that `user` sends `text` to `place` (then remembered);
    False for the same again."""
    digest = hashlib.sha256(f"{place}\n{text.strip()}".encode()).hexdigest()
    return cache.add(f"discussion:same:{user.pk}:{digest}", 1, timeout=DUPLICATE_SECONDS)


def forget(user, place, text):
    """Undo first_time (the post failed after it was asked)."""
    digest = hashlib.sha256(f"{place}\n{text.strip()}".encode()).hexdigest()
    cache.delete(f"discussion:same:{user.pk}:{digest}")
