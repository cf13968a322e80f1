"""Running a reader where it cannot take the web process down: a forked child
with a CPU-time and a memory limit (``resource``), killed at the deadline.

Reading a saved web page (trafilatura) or a PDF (pdfminer.six) is pure Python
that no deadline check can interrupt from inside: a 2 MB page once took 36 s and
held the request past the worker's timeout. In the child the work can be cut off, and a
page that needs too much memory fails there, not in the worker.
"""

import multiprocessing
import os
import resource

# Memory the child may use beyond what it inherited from the web process.
EXTRA_MEMORY_BYTES = 1024 * 1024 * 1024


class LimitExceeded(Exception):
    """The work took too long (``reason`` "time") or too much memory ("memory")."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _address_space():
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _child(connection, seconds, extra_memory, func, args, kwargs):
    try:
        cpu = max(int(seconds) + 1, 1)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        limit = _address_space() + extra_memory
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            connection.send(("ok", func(*args, **kwargs)))
        except MemoryError:
            connection.send(("limit", "memory"))
        except Exception as error:  # the reader's own refusal, passed on as is
            connection.send(("error", error))
    finally:
        connection.close()
        # Not through the parent's atexit handlers or its database connections.
        os._exit(0)


def run_limited(func, *args, seconds, extra_memory=EXTRA_MEMORY_BYTES, **kwargs):
    """``func(*args, **kwargs)`` in a forked child; its result, or the exception
    it raised, or ``LimitExceeded`` when it ran out of time or memory. ``func``'s
    result and exceptions must pickle."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(
        target=_child,
        args=(sending, seconds, extra_memory, func, args, kwargs),
        daemon=True,
    )
    child.start()
    sending.close()
    try:
        if not receiving.poll(seconds):
            raise LimitExceeded("time")
        try:
            status, value = receiving.recv()
        except EOFError:  # killed: the CPU limit, or the memory one outside Python
            raise LimitExceeded("memory") from None
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join()
    if status == "ok":
        return value
    if status == "limit":
        raise LimitExceeded(value)
    raise value
