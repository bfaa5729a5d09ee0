"""Several processes reading the files of one scan: this one and ``jobs - 1`` workers.

Every reader, this process included, takes the largest piece of work (a file, or a part of a
large one: see ``cvlogs.parsing.split``) nobody has taken yet from a counter in shared memory,
reads it, and takes the next: no reader waits for work while one is left, and the last piece to
finish is a small one.  Workers hand their results back through a queue
(events and activity runs as columns, see ``FileResult.__reduce__``); this process's own share is never pickled.

Measured on the bench corpus, against ``concurrent.futures.ProcessPoolExecutor``: the pool's
thread in this process hands a worker its next file only when it gets a turn of the GIL from
the thread that reads here, and a worker waited 50-70 ms for its second file; queueing a file
ahead instead can leave a large file waiting behind a busy worker while this process idles.
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
import traceback
from collections.abc import Callable
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from multiprocessing.sharedctypes import Synchronized

from cvlogs.errors import DependencyFailed
from cvlogs.parsing.split import Piece

Task = Callable[[Piece], object]
Store = Callable[[int, object], None]

_POLL_SECONDS = 0.5
"""How often a reader that waits for results checks that the workers are still alive."""


class ReaderDied(DependencyFailed, RuntimeError):
    """A worker process ended without handing back the files it took (killed, out of memory):
    the machine failed, not the input (exit status 3)."""


class _Failure:
    """An exception raised in a worker, as it travels back: the exception itself when it
    pickles, else its type and traceback as text."""

    def __init__(self, error: BaseException) -> None:
        self.text = "".join(traceback.format_exception(error))
        try:
            self.error: BaseException | None = pickle.loads(pickle.dumps(error))
        except Exception:  # anything unpicklable travels as text
            self.error = None

    def raise_here(self) -> None:
        if self.error is not None:
            raise self.error
        raise RuntimeError(f"a worker process failed:\n{self.text}")


def read_shared(pieces: list[Piece], task: Task, jobs: int, store: Store, context: BaseContext | None = None) -> None:
    """Run ``task`` on every piece in this process and ``jobs - 1`` workers; ``store`` gets each
    result here, with the piece's position, as it comes."""
    context = context or multiprocessing.get_context()
    order = sorted(range(len(pieces)), key=lambda index: -pieces[index].size)
    taken: Synchronized[int] = context.Value("q", 0)
    handed: Queue[bytes] = context.Queue()
    workers = [
        context.Process(target=_work, args=(pieces, order, taken, handed, task), daemon=True)  # type: ignore[attr-defined]
        for _ in range(min(jobs, len(pieces)) - 1)
    ]
    for worker in workers:
        worker.start()
    done = 0

    def keep(index: int, result: object) -> None:
        nonlocal done
        if isinstance(result, _Failure):
            result.raise_here()
        done += 1
        store(index, result)

    try:
        while (position := _take(taken, len(order))) is not None:
            _collect(handed, keep, wait=False, workers=workers)
            index = order[position]
            keep(index, task(pieces[index]))
        while done < len(pieces):
            _collect(handed, keep, wait=True, workers=workers)
        for worker in workers:
            worker.join()
    finally:
        for worker in workers:  # only after an error (or Ctrl-C) is any still running
            if worker.is_alive():
                worker.terminate()
                worker.join()
        handed.close()


def _take(taken: Synchronized[int], count: int) -> int | None:
    """The next position in the largest-first order, or None when every file is taken."""
    with taken.get_lock():
        position = taken.value
        if position >= count:
            return None
        taken.value = position + 1
        return position


def _collect(
    handed: Queue[bytes],
    store: Store,
    wait: bool,
    workers: list[BaseProcess],
) -> None:
    """Store every result workers have handed back; with ``wait``, wait for at least one."""
    while True:
        try:
            data = handed.get(block=wait, timeout=_POLL_SECONDS if wait else None)
        except queue.Empty:
            if not wait:
                return
            codes = [worker.exitcode for worker in workers]
            dead = [code for code in codes if code not in (None, 0)]
            if (dead or None not in codes) and handed.empty():  # nothing more can come
                raise ReaderDied(f"a worker process ended with exit code {(dead or codes)[0]}") from None
            continue
        store(*pickle.loads(data))
        wait = False


def _work(
    pieces: list[Piece],
    order: list[int],
    taken: Synchronized[int],
    handed: Queue[bytes],
    task: Task,
) -> None:
    """A worker: take the largest piece left, read it, hand the result back, until none is left."""
    while (position := _take(taken, len(order))) is not None:
        index = order[position]
        try:
            # Pickled here rather than by the queue's thread, which would only print an error.
            handed.put(pickle.dumps((index, task(pieces[index])), pickle.HIGHEST_PROTOCOL))
        except BaseException as error:  # handed back, raised in the main process (Ctrl-C too)
            handed.put(pickle.dumps((index, _Failure(error)), pickle.HIGHEST_PROTOCOL))
            break
    handed.close()
    handed.join_thread()  # every result is in the pipe before the process ends
