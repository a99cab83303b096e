"""The project package declares no models: topics (Topic) live in insights/models.py."""
