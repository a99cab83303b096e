# The app server image (README "Deploying"): gunicorn + whitenoise, production settings from the environment.
# Two stages: the first builds the virtual environment (compilers stay there), the second carries only it, the code
# and the collected static files, and runs as a user without privileges.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /venv
COPY requirements.txt /tmp/requirements.txt
RUN /venv/bin/pip install --requirement /tmp/requirements.txt

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH="/venv/bin:$PATH" \
    DJANGO_SETTINGS_MODULE=betterway.settings \
    DEBUG=0 \
    PORT=8000
RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --shell /usr/sbin/nologin app
WORKDIR /app
COPY --from=build /venv /venv
COPY --chown=app:app . .
# Static files are collected into the image (hashed names, compressed; whitenoise serves them). Settings need a
# key and hosts to load; these two are for this one command only and are not kept in the image's environment.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
    && chown -R app:app /app/staticfiles
USER 1000:1000
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=4).status != 200)"]
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
