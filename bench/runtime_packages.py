"""The packages a function finds on Lambda, as a directory to put on `sys.path`.

The python3.13 runtime ships boto3 (with botocore, s3transfer, jmespath, python-dateutil, six
and urllib3); the layer adds layers/event_core/requirements.txt. The dev venv holds much more,
and some of it changes what a cold start imports: SAM CLI brings awscrt and pyOpenSSL, which
botocore imports whenever it finds them (`awscrt.auth` in botocore.compat,
`urllib3.contrib.pyopenssl` in botocore.httpsession), the tests bring requests, which X-Ray's
patch_all instruments, and every installed distribution lengthens pydantic's plugin scan of the
package metadata.

`lambda_site()` links exactly the two dependency closures into one directory; a cold start run
with `python -S` (no site-packages) and that directory on its path imports what it would import
on Lambda.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bench.paths import LAYER_REQUIREMENTS

RUNTIME_DISTRIBUTIONS = ("boto3",)


def requirement_lines(lines: list[str]) -> list[Requirement]:
    found = []
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if text and not text.startswith("-"):
            found.append(Requirement(text))
    return found


def closure(roots: list[Requirement]) -> set[str]:
    """Names of the roots and of everything they require, extras included."""
    seen: set[tuple[str, frozenset[str]]] = set()
    names: set[str] = set()
    pending = list(roots)
    while pending:
        requirement = pending.pop()
        name, extras = canonicalize_name(requirement.name), frozenset(requirement.extras)
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        names.add(name)
        try:
            requires = metadata.requires(requirement.name) or []
        except metadata.PackageNotFoundError:
            continue
        for text in requires:
            child = Requirement(text)
            if child.marker is None or any(child.marker.evaluate({"extra": e}) for e in extras | {""}):
                pending.append(child)
    return names


def lambda_distributions() -> list[str]:
    """boto3 as the runtime ships it, plus the layer's requirements, with their dependencies."""
    roots = [Requirement(name) for name in RUNTIME_DISTRIBUTIONS]
    roots += requirement_lines(LAYER_REQUIREMENTS.read_text().splitlines())
    return sorted(closure(roots))


def lambda_site(directory: Path) -> Path:
    """Link the top-level files of the Lambda distributions into `directory`; return it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in lambda_distributions():
        distribution = metadata.distribution(name)
        for top in sorted({f.parts[0] for f in distribution.files or [] if f.parts[0] != ".."}):
            link = directory / top
            if not link.exists():
                link.symlink_to(Path(str(distribution.locate_file(top))))
    return directory
