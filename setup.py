"""Build hook: ship the top-level front end (web/, service-worker.js) inside the package.

The repository keeps `web/` and `service-worker.js` at the top level; a built wheel carries
them as `server/frontend/`, where `server.web.asset_root()` finds them once installed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
FRONTEND = ("web", "service-worker.js")


class build_py_with_frontend(build_py):  # noqa: N801 - setuptools command naming
    """Copy the front end into the built package (editable installs read the checkout)."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "server" / "frontend"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for name in FRONTEND:
            source = HERE / name
            if source.is_dir():
                shutil.copytree(source, target / name)
            else:
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": build_py_with_frontend})
