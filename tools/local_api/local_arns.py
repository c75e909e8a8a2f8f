"""The local ARNs of the template's resources, as SAM CLI resolves `!GetAtt X.Arn` for the
functions' environment: `arn:aws:lambda:<region>:<account>:function:<FunctionName or logical id>`.
Schedules and rules created locally use the same ARNs, and a target's ARN maps back to the
function that runs it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from samcli.lib.providers.provider import Function

from local_api.lambda_context import ACCOUNT_ID, REGION


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{name}"


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}"


@dataclass(frozen=True)
class LocalFunctions:
    """The template's functions by the names their ARNs carry (FunctionName, else logical id)."""

    by_name: Mapping[str, str]

    @classmethod
    def of(cls, functions: Iterable[Function]) -> LocalFunctions:
        names: dict[str, str] = {}
        for function in functions:
            names[function.name] = function.name
            if function.functionname:
                names[function.functionname] = function.name
        return cls(names)

    def logical_id(self, arn: str) -> str | None:
        """The function a Lambda ARN (or a plain name) stands for, None if none of ours;
        a qualifier (`:alias`, `:$LATEST`) runs the same code here."""
        parts = arn.split(":")
        if parts[0] != "arn":
            return self.by_name.get(arn)
        if parts[2:3] != ["lambda"] or len(parts) < 7 or parts[5] != "function":
            return None
        return self.by_name.get(parts[6])
