"""A real TCP server that accepts every connection and never answers: a hung broker, cache or
database, as seen from the client (the kernel completes the handshake, nothing replies)."""

from __future__ import annotations

import contextlib
import socket
import threading


class HangingServer:
    """Listens on 127.0.0.1 (a free port), accepts, reads and discards, never writes a byte.

    ``give_up_after`` seconds after it starts it closes every connection and stops listening, so
    a client without timeouts (the code before its fix) fails late instead of hanging the test
    run forever: tests then assert the answer came much sooner than that.
    """

    def __init__(self, give_up_after: float = 30.0):
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(128)
        self.port = self._listener.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        threading.Thread(target=self._accept, name="hanging server", daemon=True).start()
        self._watchdog = threading.Timer(give_up_after, self.close)
        self._watchdog.daemon = True
        self._watchdog.start()

    def url(self, scheme: str = "redis", path: str = "/0") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self.accepted)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                peer, _address = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.accepted.append(peer)
            threading.Thread(target=self._swallow, args=(peer,), daemon=True).start()

    @staticmethod
    def _swallow(peer: socket.socket) -> None:
        try:
            while peer.recv(65536):
                pass
        except OSError:
            pass

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        self._watchdog.cancel()
        for sock in [self._listener, *self.accepted]:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def __enter__(self) -> HangingServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def reset_broker_pools() -> None:
    """Forget the Celery app's broker connections, so the next publish connects to the broker the
    configuration names now (kombu keeps pools per URL in a global registry: close and clear it)."""
    from kombu import pools

    from lms.celery import app

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
