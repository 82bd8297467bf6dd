"""Serve the built book on localhost, gzip-compressed like a static web host.

Used by ``make serve`` for a quick look, and by the browser tests and the page
weight benchmark (which start it in a thread on a free port). Text assets
(HTML, JavaScript, CSS, JSON, SVG) are sent gzip-compressed when the browser
accepts it, as GitHub Pages does, so measured transfer sizes match a real host;
``--no-gzip`` serves files as they are.

Run as ``python -m solidarity_course.serve [--port 8000] [--directory _build/html]``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import os
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from solidarity_course.paths import COURSE_ROOT

#: File types a static host compresses.
COMPRESSIBLE = {".html", ".js", ".css", ".json", ".svg", ".txt", ".map", ".ipynb", ".md", ".inv"}


class BookHandler(SimpleHTTPRequestHandler):
    """Static files from one folder, gzip for text when accepted, optionally quiet."""

    gzip_enabled = True
    quiet = False
    _cache: dict[tuple[str, float], bytes] = {}
    _lock = threading.Lock()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (stdlib signature)
        if not self.quiet:
            super().log_message(format, *args)

    def _compressed(self, path: str) -> bytes:
        key = (path, os.stat(path).st_mtime)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = gzip.compress(Path(path).read_bytes(), compresslevel=6)
            return self._cache[key]

    def do_GET(self) -> None:
        path = self.translate_path(self.path)
        if os.path.isdir(path) and self.path.split("?")[0].endswith("/"):
            path = os.path.join(path, "index.html")
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.gzip_enabled and accepts and os.path.isfile(path)):
            return super().do_GET()
        if Path(path).suffix.lower() not in COMPRESSIBLE:
            return super().do_GET()
        body = self._compressed(path)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Vary", "Accept-Encoding")
        self.end_headers()
        self.wfile.write(body)


def make_server(
    directory: Path,
    port: int = 0,
    host: str = "127.0.0.1",
    use_gzip: bool = True,
    quiet: bool = False,
) -> ThreadingHTTPServer:
    """An HTTP server for ``directory`` on ``host:port`` (port 0: any free port)."""
    handler = type("Handler", (BookHandler,), {"gzip_enabled": use_gzip, "quiet": quiet})
    server = ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(directory)))
    server.daemon_threads = True
    return server


@contextlib.contextmanager
def serve_in_thread(directory: Path, use_gzip: bool = True) -> Iterator[str]:
    """Serve ``directory`` in a background thread; yields the base URL (ends in /)."""
    server = make_server(directory, use_gzip=use_gzip, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--directory", type=Path, default=COURSE_ROOT / "_build" / "html")
    parser.add_argument("--no-gzip", action="store_true", help="send files uncompressed")
    args = parser.parse_args(argv)
    if not (args.directory / "index.html").is_file():
        parser.error(f"no built book in {args.directory}: run 'make book' first")
    server = make_server(args.directory, args.port, use_gzip=not args.no_gzip)
    print(f"Serving {args.directory} on http://127.0.0.1:{args.port}/ (Ctrl+C to stop)")
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
