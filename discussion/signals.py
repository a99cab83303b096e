"""What discussion tells the apps above it (notifications listens in its AppConfig.ready()).

- comment_posted: sent once when a comment (or a reply) is posted, with `comment`.
Receivers act after the transaction commits.
"""

from django.dispatch import Signal

comment_posted = Signal()
