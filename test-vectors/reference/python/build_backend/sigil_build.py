"""A PEP 517 build backend, standard library only, for sigil-http.

Why not setuptools: it writes ``build/`` and ``*.egg-info`` into the source
tree on every ``pip install``, and pip's isolated build would have to fetch
it from PyPI. This backend needs nothing (``requires = []``, so it also
builds offline), writes only into the directory the frontend gives it, and
reads the metadata from pyproject.toml's ``[project]`` table (PEP 621).

Wheels hold the packages listed in ``[tool.sigil-build] packages``: their
``*.py`` files and ``py.typed``; sdists hold those plus pyproject.toml, the
README and this backend.
"""

import base64
import hashlib
import io
import os
import tarfile
import zipfile
from typing import Dict, Iterator, List, Optional, Tuple

ROOT = os.getcwd()  # frontends run the backend in the source tree
TAG = "py3-none-any"


def _pyproject() -> Dict:
    try:
        import tomllib  # Python 3.11+
    except ImportError:  # pragma: no cover
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            raise RuntimeError("building sigil-http from source needs Python 3.11+ (tomllib) or the tomli package")
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as file:
        return tomllib.load(file)


def _project() -> Dict:
    return _pyproject()["project"]


def _packages() -> List[str]:
    return list(_pyproject()["tool"]["sigil-build"]["packages"])


def _dist_name() -> str:
    return _project()["name"].replace("-", "_")


def _metadata() -> str:
    project = _project()
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}",
             f"Summary: {project['description']}", f"Requires-Python: {project['requires-python']}",
             f"License: {project['license']['text']}"]
    for requirement in project.get("dependencies", []):
        lines.append(f"Requires-Dist: {requirement}")
    for extra, requirements in project.get("optional-dependencies", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        lines.extend(f'Requires-Dist: {r}; extra == "{extra}"' for r in requirements)
    lines.append("Description-Content-Type: text/markdown")
    with open(os.path.join(ROOT, project["readme"]), encoding="utf-8") as file:
        return "\n".join(lines) + "\n\n" + file.read()


def _sources() -> Iterator[Tuple[str, str]]:
    """(path in the archive, path on disk) of every packaged file, sorted."""
    for package in _packages():
        for folder, dirs, files in os.walk(os.path.join(ROOT, package)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py") or name == "py.typed":
                    disk = os.path.join(folder, name)
                    yield os.path.relpath(disk, ROOT).replace(os.sep, "/"), disk


def _record_line(path: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def _dist_info_files() -> List[Tuple[str, bytes]]:
    info = f"{_dist_name()}-{_project()['version']}.dist-info"
    wheel = f"Wheel-Version: 1.0\nGenerator: sigil_build\nRoot-Is-Purelib: true\nTag: {TAG}\n"
    return [(f"{info}/METADATA", _metadata().encode()), (f"{info}/WHEEL", wheel.encode())]


def _write_wheel(directory: str, files: List[Tuple[str, bytes]]) -> str:
    files = files + _dist_info_files()
    info = files[-1][0].split("/")[0]
    record = [_record_line(path, data) for path, data in files] + [f"{info}/RECORD,,"]
    name = f"{_dist_name()}-{_project()['version']}-{TAG}.whl"
    with zipfile.ZipFile(os.path.join(directory, name), "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files + [(f"{info}/RECORD", ("\n".join(record) + "\n").encode())]:
            archive.writestr(zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0)), data)
    return name


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def get_requires_for_build_wheel(config_settings: Optional[Dict] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[Dict] = None) -> List[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[Dict] = None) -> List[str]:
    return []


def build_wheel(wheel_directory: str, config_settings: Optional[Dict] = None,
                metadata_directory: Optional[str] = None) -> str:
    return _write_wheel(wheel_directory, [(path, _read(disk)) for path, disk in _sources()])


def build_editable(wheel_directory: str, config_settings: Optional[Dict] = None,
                   metadata_directory: Optional[str] = None) -> str:
    # PEP 660: a .pth file puts the source tree on sys.path.
    return _write_wheel(wheel_directory, [(f"{_dist_name()}.pth", (ROOT + "\n").encode())])


def build_sdist(sdist_directory: str, config_settings: Optional[Dict] = None) -> str:
    base = f"{_dist_name()}-{_project()['version']}"
    extra = ["pyproject.toml", _project()["readme"], "build_backend/sigil_build.py"]
    members = [(path, _read(disk)) for path, disk in _sources()] + [(p, _read(os.path.join(ROOT, p))) for p in extra]
    pkg_info = _metadata().encode()
    name = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for path, data in members + [("PKG-INFO", pkg_info)]:
            member = tarfile.TarInfo(f"{base}/{path}")
            member.size, member.mtime, member.mode = len(data), 1577836800, 0o644
            archive.addfile(member, io.BytesIO(data))
    return name
