"""A TCP relay between the app and PostgreSQL that a test can stop and start again, so that
the database server seems to go away without stopping the machine's server (which other
work uses).

``stop()`` closes the listening socket and resets every relayed connection: the app's open
connections fail on their next use and new ones are refused, as when the server stops.
``start()`` listens again on the same loopback port. Standard library only."""
from __future__ import annotations

import socket
import struct
import threading

ACCEPT_POLL = 0.1  # seconds between checks of the stop flag while waiting for a connection
CHUNK = 65536


class PgProxy:
    def __init__(self, target_host: str = "127.0.0.1", target_port: int = 5432):
        self.target = (target_host, target_port)
        self.port = 0  # chosen by the system on the first start, then kept
        self._listener: socket.socket | None = None
        self._acceptor: threading.Thread | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        listener.settimeout(ACCEPT_POLL)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._stopping.clear()
        self._acceptor = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._acceptor.start()

    def stop(self) -> None:
        """Refuse new connections and reset the open ones; returns once both are done."""
        self._stopping.set()
        if self._acceptor is not None:
            self._acceptor.join(timeout=5)
            self._acceptor = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            _reset(sock)

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._open) // 2

    def _accept(self, listener: socket.socket) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            client.settimeout(None)
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                _reset(client)
                continue
            with self._lock:
                if self._stopping.is_set():
                    _reset(client), _reset(upstream)
                    return
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(CHUNK)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        with self._lock:
            ours = source in self._open
            self._open.discard(source), self._open.discard(sink)
        if ours:  # the other side ended the conversation: end it on this side too
            _reset(source), _reset(sink)


def _reset(sock: socket.socket) -> None:
    """Close at once with a reset (no orderly goodbye), as a vanished server's host does."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes the relay thread reading it; close alone would not
    except OSError:
        pass
    sock.close()
