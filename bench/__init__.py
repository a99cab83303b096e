"""The benchmark (bench/README.md): `bench/run` serves the site with gunicorn and loads it with wrk."""
