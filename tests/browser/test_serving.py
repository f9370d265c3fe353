"""The live server the browser tests use closes every response, even when the browser hangs up
half-way through one (otherwise a file stays open and a later test fails on its ResourceWarning)."""

import socket
import struct
import threading
import time

from flask import Response

from tests.browser.serving import serve
from tests.conftest import make_test_app


def test_a_response_is_closed_when_the_client_hangs_up_mid_download(tmp_path):
    app = make_test_app(tmp_path)
    hung_up, closed = threading.Event(), threading.Event()

    class Download:
        def __iter__(self):
            yield b"x" * 1_000
            # The reset arrives after the last byte was sent and before the server drains the
            # socket: the moment werkzeug's own close is skipped.
            hung_up.wait(10)

        def close(self):
            closed.set()

    def download():
        return Response(Download(), mimetype="application/octet-stream", headers={"Content-Length": "1000"})

    app.add_url_rule("/download", "download", download)

    with serve(app) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        client = socket.create_connection(("127.0.0.1", port))
        client.sendall(b"GET /download HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        client.recv(65_536)  # the download has started
        # Hang up with a reset, as a browser does when a page is left mid-download.
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        client.close()
        time.sleep(0.2)
        hung_up.set()
        deadline = time.monotonic() + 10
        while not closed.is_set() and time.monotonic() < deadline:
            time.sleep(0.05)

    assert closed.is_set(), "the server left the response open after the client hung up"
