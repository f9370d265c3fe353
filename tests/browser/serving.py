"""What the browser tests and scripts/screenshots.py share: Debian's Chromium, its launch flags, the
desktop and phone viewports, and a real HTTP server for an app on a random local port."""

import threading
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
PHONE = {
    "viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2,
}


class QuietHandler(WSGIRequestHandler):
    """No access log line per request (errors are still logged), and every response closed.

    Werkzeug's server closes the app's response only after draining the socket; when the browser
    has already dropped the connection (a page left mid-download), that drain raises and the close
    is skipped, so a static file stays open until garbage collection warns about it in whichever
    test runs then. The server records each response (see serve) and the handler closes them."""

    def log_request(self, code="-", size="-"):
        pass

    def run_wsgi(self):
        try:
            super().run_wsgi()
        finally:
            while self.server.responses:
                self.server.responses.pop().close()


class _ClosedOnce:
    """A response whose close() does its work once, whether werkzeug or QuietHandler calls it."""

    def __init__(self, response):
        self._response = response
        self._closed = False

    def __iter__(self):
        return iter(self._response)

    def close(self):
        if not self._closed:
            self._closed = True
            if hasattr(self._response, "close"):
                self._response.close()


@contextmanager
def serve(app):
    """Serve app on 127.0.0.1:<free port> in a thread; yields the base URL. No app context is held
    while it runs: each request gets its own, as under a production server."""
    from webapp.extensions import db

    responses = []

    def recorded(environ, start_response):
        response = _ClosedOnce(app(environ, start_response))
        responses.append(response)
        return response

    server = make_server("127.0.0.1", 0, recorded, threaded=False, request_handler=QuietHandler)
    server.responses = responses
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
