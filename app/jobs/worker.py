"""``flask imagin worker``: Huey's consumer, running the application's jobs.

Production: as many as wanted, on any host, with ``JOB_QUEUE_URL=redis://…`` (the
same as the web hosts'). Development: ``make run`` starts one on the SQLite queue.
"""

from __future__ import annotations

import logging

import click
from flask import current_app
from huey.consumer import Consumer

from app.jobs.queue import job_queue
from app.jobs.recovery import Sweeper


class QuietConsumer(Consumer):
    """A consumer that leaves the process's signals alone (started from a thread, in
    the tests, or inside another program)."""

    def _set_signal_handlers(self) -> None:
        pass


def consumer(
    app=None, *, workers: int = 1, quiet_signals: bool = False, max_delay: float = 2.0
) -> Consumer:
    """Huey's consumer of the application's queue. ``max_delay``: the longest pause
    between two looks at an empty SQLite queue (Redis waits for a job instead)."""
    queue = job_queue(app)
    cls = QuietConsumer if quiet_signals else Consumer
    return cls(queue.huey, workers=workers, periodic=False, max_delay=max_delay)


def serve(app, *, workers: int = 2, max_delay: float = 2.0) -> None:
    """What a worker process does until stopped: Huey's consumer, and the sweeper that
    takes back the jobs and mails of workers killed meanwhile (here or on another host)."""
    sweeper = Sweeper(app).start()
    try:
        consumer(app, workers=workers, max_delay=max_delay).run()
    finally:
        sweeper.stop()


@click.command("worker")
@click.option("--workers", type=int, default=2, show_default=True, help="Worker threads.")
def worker_command(workers: int) -> None:
    """Run the job worker (Huey's consumer) until stopped (Ctrl+C, SIGTERM)."""
    logging.getLogger("huey").setLevel(logging.INFO)
    app = current_app._get_current_object()
    queue = job_queue(app)
    click.echo(f"Traitements : file {type(queue.huey.storage).__name__} « {queue.huey.name} ».")
    serve(app, workers=workers)
