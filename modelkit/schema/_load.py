"""Load a schema from a file path or a module name: ``schemas/shop.py``, ``app.schema:shop``."""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
from pathlib import Path
from types import ModuleType

from modelkit.errors import LoadError, ModelkitError
from modelkit.schema._declare import Table
from modelkit.schema._design import TableDesign

_OWN = str(Path(__file__).resolve().parent.parent)


def load_table(spec: str) -> Table | TableDesign:
    """The table a schema file or module declares (``SPEC:NAME`` picks one of several)."""
    target, _, attr = spec.partition(":") if not _is_windows_drive(spec) else (spec, "", "")
    module = _import(target)
    if attr:
        found = getattr(module, attr, None)
        if not isinstance(found, Table | TableDesign):
            raise LoadError(f"{target}: {attr!r} is not a modelkit Table or TableDesign")
        return found
    tables = [v for v in vars(module).values() if isinstance(v, Table)]
    designs = [v for v in vars(module).values() if isinstance(v, TableDesign)]
    if len(tables) == 1:
        return tables[0]
    if not tables and len(designs) == 1:
        return designs[0]
    if not tables and not designs:
        raise LoadError(f"{target}: defines no modelkit Table")
    names = ", ".join(n for n, v in vars(module).items() if isinstance(v, Table | TableDesign))
    raise LoadError(f"{target}: defines several tables ({names}); pick one with {target}:NAME")


def load_design(spec: str) -> TableDesign:
    """Load and compile: the :class:`TableDesign` a schema file or module declares."""
    found = load_table(spec)
    return found if isinstance(found, TableDesign) else found.compile()


def _is_windows_drive(spec: str) -> bool:
    return len(spec) > 2 and spec[1] == ":" and spec[2] in "\\/"


def _import(target: str) -> ModuleType:
    path = Path(target)
    if target.endswith(".py") or path.is_file() or "/" in target:
        return _import_file(path)
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as exc:
        if exc.name and target.startswith(exc.name):
            raise LoadError(f"{target}: no such file or module") from None
        raise LoadError(_describe(exc, target)) from None
    except SyntaxError as exc:
        raise LoadError(_syntax(exc)) from None
    except Exception as exc:
        raise LoadError(_describe(exc, target)) from None


def _import_file(path: Path) -> ModuleType:
    if not path.is_file():
        raise LoadError(f"{path}: no such file")
    name = f"_modelkit_schema_{abs(hash(path.resolve()))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LoadError(f"{path}: cannot be imported as Python")
    module = importlib.util.module_from_spec(spec)
    folder = str(path.resolve().parent)
    sys.path.insert(0, folder)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(name, None)
        raise LoadError(_syntax(exc)) from None
    except Exception as exc:
        sys.modules.pop(name, None)
        if isinstance(exc, ModelkitError) and not isinstance(exc, LoadError):
            raise
        raise LoadError(_describe(exc, str(path))) from None
    finally:
        if folder in sys.path:
            sys.path.remove(folder)
    return module


def _syntax(exc: SyntaxError) -> str:
    return f"{exc.filename}:{exc.lineno}: syntax error: {exc.msg}"


def _describe(exc: BaseException, target: str) -> str:
    """``file:line: ExcType: message`` at the innermost frame of the user's code."""
    frames = traceback.extract_tb(exc.__traceback__)
    user = [f for f in frames if "importlib" not in f.filename and not f.filename.startswith(_OWN)]
    place = f"{user[-1].filename}:{user[-1].lineno}" if user else target
    return f"{place}: {type(exc).__name__}: {exc}"
