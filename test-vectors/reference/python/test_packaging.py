"""Packaging: `pip install` of a copy of this directory, with the extras
this interpreter can satisfy (all four under Debian's python3), into a fresh
venv builds offline (the backend needs nothing), leaves no build debris in
the source tree; the installed package imports from site-packages, an
example runs from it, and the public API passes `mypy --strict`."""

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from support import needs

HERE = os.path.dirname(os.path.abspath(__file__))
#: extra -> the module it brings
EXTRAS = {"flask": "flask", "requests": "requests", "httpx": "httpx", "redis": "redis"}


def _tree(root):
    """Every file and folder under root, __pycache__ aside."""
    found = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in dirs + files:
            found.add(os.path.relpath(os.path.join(folder, name), root))
    return found


def _run(*command, cwd=None, env=None):
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=240)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


class InstallFromACopy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="sigil-pip-")
        cls.source = os.path.join(cls.tmp, "src")
        shutil.copytree(HERE, cls.source, ignore=shutil.ignore_patterns("__pycache__"))
        cls.before = _tree(cls.source)
        venv = os.path.join(cls.tmp, "venv")
        # System site-packages: the extras (Debian's Flask, requests, ...) are found there, offline.
        # No pip inside (ensurepip is the slow part): this interpreter's pip installs into it.
        _run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv)
        cls.python = os.path.join(venv, "bin", "python")
        extras = [e for e in EXTRAS if importlib.util.find_spec(EXTRAS[e])]
        if os.environ.get("SIGIL_PYTHON_EXTRAS") == "required" and len(extras) < len(EXTRAS):
            raise AssertionError(f"SIGIL_PYTHON_EXTRAS=required but only {extras} can be installed")
        cls.extras = extras
        target = f"{cls.source}[{','.join(extras)}]" if extras else cls.source
        cls.install_log = _run(sys.executable, "-m", "pip", "--python", cls.python, "install", "--no-index",
                               "--disable-pip-version-check", target, cwd=cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_pip_install_leaves_no_build_debris_in_the_source_tree(self):
        after = _tree(self.source)
        self.assertEqual(sorted(after - self.before), [])
        self.assertFalse([p for p in after if p.startswith("build" + os.sep) or p == "build" or ".egg-info" in p])

    def test_the_installed_package_imports_from_site_packages(self):
        where = _run(self.python, "-c", "import sigil, sigil_rfc9421, sigil.verifier; print(sigil.__file__)",
                     cwd=self.tmp, env={"PATH": os.environ.get("PATH", "")})
        self.assertIn("site-packages", where)
        self.assertNotIn(self.source, where)

    def test_the_extras_are_declared_and_satisfied(self):
        metadata = _run(self.python, "-c", "import importlib.metadata as m; print(m.metadata('sigil-http').as_string())",
                        cwd=self.tmp)
        for extra in EXTRAS:
            self.assertIn(f"Provides-Extra: {extra}", metadata)
        lines = _run(self.python, "-c", "import importlib.metadata as m; print('\\n'.join(m.requires('sigil-http')))",
                     cwd=self.tmp).splitlines()
        self.assertEqual(len(lines), len(EXTRAS))
        self.assertTrue(all("extra ==" in line for line in lines), lines)  # the core itself needs nothing
        for extra in self.extras:  # what was asked for is importable from the venv
            _run(self.python, "-c", f"import {EXTRAS[extra]}, sigil.{extra}", cwd=self.tmp)

    @needs("flask", "requests", hint="apt-get install python3-flask python3-requests")
    def test_the_quick_start_example_runs_from_the_installed_package(self):
        example = os.path.join(self.tmp, "quickstart.py")
        shutil.copy(os.path.join(HERE, "examples", "quickstart.py"), example)
        out = _run(self.python, example, cwd=self.tmp, env={"PATH": os.environ.get("PATH", "")}).splitlines()
        self.assertTrue(out[0].startswith("201 {'keyId': 'client-1', 'order': {"), out)
        self.assertEqual(out[1], "401 {'error': 'signature_missing'}")
        self.assertIn("site-packages", out[2])


@needs("mypy", hint="apt-get install mypy")
class PublicApiTypes(unittest.TestCase):
    def test_mypy_strict_passes_on_the_package(self):
        cache = os.path.join(tempfile.gettempdir(), "sigil-mypy-cache")  # outside the tree, reused across runs
        out = _run(sys.executable, "-m", "mypy", "--strict", "--cache-dir", cache, "-p", "sigil", "-p", "sigil_rfc9421", cwd=HERE)
        self.assertIn("Success: no issues found", out)


if __name__ == "__main__":
    unittest.main()
