"""Each function's environment as deployed: the template's variables, resolved by SAM CLI.

`local_api.functions` builds what `sam local` gives a function (Globals merged, `!Ref`s
resolved, Lambda's own variables such as LAMBDA_TASK_ROOT), pointed at DynamoDB Local. The
benchmark then undoes the two local-only switches that turn tracing off (AWS_SAM_LOCAL and
POWERTOOLS_TRACE_DISABLED), because the template sets `Tracing: Active` and a cold start on
Lambda pays for whatever tracing costs. X-Ray segments go over UDP to a local sink instead of
the X-Ray daemon.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from bench.paths import TEMPLATE
from local_api.functions import FunctionSpec, function_provider, function_specs, load_stacks

LOCAL_ONLY = ("AWS_SAM_LOCAL", "POWERTOOLS_TRACE_DISABLED", "PYTHONUNBUFFERED")
# A sampled trace header, as the Lambda runtime sets it for each invocation of a traced function.
TRACE_HEADER = "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1"


@dataclass(frozen=True, slots=True)
class Function:
    """One function of the template: its directory name under functions/ and how it runs."""

    name: str
    logical_id: str
    code_dir: Path
    layer_dirs: tuple[Path, ...]
    environment: dict[str, str]


def deployed_environment(spec: FunctionSpec, xray_daemon: str) -> dict[str, str]:
    env = {k: v for k, v in spec.environment.items() if k not in LOCAL_ONLY}
    env.update(
        AWS_EXECUTION_ENV="AWS_Lambda_python3.13",
        AWS_XRAY_DAEMON_ADDRESS=xray_daemon,
        AWS_XRAY_CONTEXT_MISSING="LOG_ERROR",
        _X_AMZN_TRACE_ID=TRACE_HEADER,
    )
    return env


def template_functions(dynamodb_endpoint: str, xray_daemon: str) -> dict[str, Function]:
    """The template's functions by directory name (register, get_event, ...)."""
    stacks = load_stacks(TEMPLATE)
    specs = function_specs(function_provider(stacks).get_all(), TEMPLATE.parent, dynamodb_endpoint)
    functions = {}
    for logical_id, spec in specs.items():
        name = spec.code_dir.name
        functions[name] = Function(
            name=name,
            logical_id=logical_id,
            code_dir=spec.code_dir,
            layer_dirs=spec.layer_dirs,
            environment=deployed_environment(spec, xray_daemon),
        )
    return dict(sorted(functions.items()))


class XRaySink:
    """A UDP socket standing in for the X-Ray daemon: counts the segment documents it receives."""

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.received = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._drain, name="xray-sink", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        host, port = self._socket.getsockname()
        return f"{host}:{port}"

    def _drain(self) -> None:
        while not self._stop.is_set():
            try:
                self._socket.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            self.received += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()

    def __enter__(self) -> XRaySink:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
