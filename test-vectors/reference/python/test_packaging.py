"""Packaging: `pip install` of a copy of this directory into a fresh venv
builds offline (the backend needs nothing), leaves no build debris in the
source tree, and the installed package imports from site-packages, not from
the source tree."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


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
        _run(sys.executable, "-m", "venv", "--system-site-packages", venv)
        cls.python = os.path.join(venv, "bin", "python")
        cls.install_log = _run(cls.python, "-m", "pip", "install", "--no-index", "--disable-pip-version-check",
                               cls.source, cwd=cls.tmp)

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


if __name__ == "__main__":
    unittest.main()
