"""`python -m local_api serve` as `make dev` runs it: its own DynamoDB Local, clean shutdown."""

from __future__ import annotations

import os
import signal
import socket
import sys

import pytest
import requests

from local_api import free_port, serve_in_background
from local_api.net import port_is_free, wait_until


def pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.integration  # its own server and DynamoDB Local, not the session's
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_starts_dynamodb_local_and_stops_everything(stop_signal, sample_template, tmp_path):
    # Given a server that starts its own DynamoDB Local
    ddb_port = free_port()
    server = serve_in_background(
        free_port(), None, template=sample_template, dynamodb_port=ddb_port, log_path=tmp_path / "log"
    )
    try:
        response = requests.get(f"{server.url}/sleep", timeout=30)
        assert response.status_code == 200
        worker_pid = response.json()["pid"]
        assert not port_is_free(ddb_port)
        assert f"DynamoDB Local at http://127.0.0.1:{ddb_port}" in server.log()

        # When it is interrupted (Ctrl-C) or terminated
        server.process.send_signal(stop_signal)
        exit_code = server.process.wait(30)
    finally:
        server.stop()

    # Then it exits cleanly, and its workers and DynamoDB Local are gone
    assert exit_code == 0, server.log()
    assert wait_until(lambda: pid_gone(worker_pid), timeout=5)
    assert wait_until(lambda: port_is_free(ddb_port), timeout=5), server.log()
    assert "Traceback" not in server.log()


@pytest.mark.integration
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux-only")
def test_dynamodb_local_does_not_outlive_a_killed_server(sample_template, tmp_path):
    # Given a server with its own DynamoDB Local
    ddb_port = free_port()
    server = serve_in_background(
        free_port(), None, template=sample_template, dynamodb_port=ddb_port, log_path=tmp_path / "log"
    )

    # When the server is killed outright (no chance to clean up)
    server.process.kill()
    server.process.wait()

    # Then DynamoDB Local goes too, freeing its port for the next run
    assert wait_until(lambda: port_is_free(ddb_port), timeout=10)


def test_a_port_whose_listener_just_stopped_counts_as_free():
    # Given a listener that served a connection and closed it first (leaving TIME_WAIT behind)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    accepted.close()
    listener.close()
    client.close()

    # Then the port is free for the next server, while a live listener still blocks it
    assert port_is_free(port)
    with socket.create_server(("127.0.0.1", port)):
        assert not port_is_free(port)
