"""Background jobs on a Huey queue: Redis in production (workers on any host), a
SQLite file in the instance folder by default (nothing but Python).

- ``queue``: builds the application's Huey from ``JOB_QUEUE_URL`` and puts jobs on it;
- ``runner``: what a worker does with a job (its units of work, progress, retries);
- ``kinds``: the jobs the portal runs (the payment export…);
- ``worker``: ``flask imagin worker``, Huey's consumer inside the application.
"""
