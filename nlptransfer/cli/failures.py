"""How a failed command is told: one line for what a user can fix, a traceback for a bug.

What a user can fix ends in one line on stderr, ``error: MESSAGE``, and a non-zero exit status
(2 for a wrong command line, 130 for Ctrl-C, else 1): the library's own errors
(:class:`~nlptransfer.errors.NLPTransferError`), bad values (``ValueError``, which includes
``UnicodeDecodeError`` and JSON errors), files that cannot be read (``OSError``: missing, a folder,
no permission), truncated or corrupt data (``EOFError``, and the errors of :data:`LIBRARY_ERRORS`),
and an interrupted run. A message that names no file gets the name of the file the library was
reading when the error was raised, where a variable (``path``, ``file``, ``*_path``, a ``Path``
method's ``self``, ...) in a frame below the command line names an existing one. With ``--debug``
(or ``NLPTRANSFER_DEBUG=1``) the traceback comes before the line.

Anything else is a bug in nlptransfer: its traceback, then a line asking for a report.

Example:
    >>> user_message(FileNotFoundError(2, "No such file or directory", "vectors.txt"))
    'vectors.txt: No such file or directory'
    >>> is_user_error(KeyError("oops"))
    False
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from types import TracebackType

import typer

from nlptransfer._util.errors import NLPTransferError
from nlptransfer._util.extras import missing_extra
from nlptransfer._util.version import __version__

#: Errors of libraries that read files for us, as ``(module, class)``: a module is looked up
#: only when already imported (an error from it means it was), so checking costs no import.
LIBRARY_ERRORS = (
    ("zlib", "error"),
    ("lzma", "LZMAError"),
    ("zipfile", "BadZipFile"),
    ("tarfile", "TarError"),
    ("csv", "Error"),
    ("pickle", "UnpicklingError"),
    ("yaml", "YAMLError"),
    ("safetensors", "SafetensorError"),
)


#: Exit status of a run stopped with Ctrl-C (128 + SIGINT), as shells report it.
INTERRUPTED = 130

_USER_ERRORS = (NLPTransferError, ValueError, OSError, EOFError, KeyboardInterrupt)
#: Local variables that hold the file being read, in the frames an error passed through.
_FILE_VARIABLES = ("path", "file", "filename", "source", "src", "self")
#: A message that holds a path or a file name (``data/x.csv``, ``vectors.txt``) names its file.
_NAMES_A_FILE = re.compile(r"[/\\]|[A-Za-z0-9_-]\.[A-Za-z][A-Za-z0-9]{0,7}\b")


def debug_requested() -> bool:
    """Whether ``NLPTRANSFER_DEBUG`` asks for tracebacks (``--debug`` does too)."""
    return os.environ.get("NLPTRANSFER_DEBUG", "") not in ("", "0")


def is_user_error(error: BaseException) -> bool:
    """Whether ``error`` is one a user can fix (bad input, files, interruption), not a bug."""
    if isinstance(error, _USER_ERRORS):
        return True
    for module_name, class_name in LIBRARY_ERRORS:
        kind = getattr(sys.modules.get(module_name), class_name, None)
        if isinstance(kind, type) and isinstance(error, kind):
            return True
    return False


def user_message(error: BaseException) -> str:
    """What went wrong, on one line, naming the file where the error's own message does not."""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    if isinstance(error, OSError) and error.filename is not None and error.strerror:
        message = f"{os.fsdecode(error.filename)}: {error.strerror}"
        if error.filename2 is not None:
            message += f" ({os.fsdecode(error.filename2)})"
    else:
        message = str(error) or type(error).__name__
        if isinstance(error, UnicodeDecodeError):
            message = f"expected {error.encoding} text, found {message}"
        elif type(error).__name__ == "JSONDecodeError":
            message = f"expected JSON, found invalid JSON ({message})"
        name = None if _NAMES_A_FILE.search(message) else _file_being_read(error.__traceback__)
        if name:
            message = f"{name}: {message}"
    return "; ".join(line.strip() for line in message.splitlines() if line.strip())


def report(error: BaseException, *, debug: bool = False) -> int:
    """Tell ``error`` on stderr; return the exit status.

    A module of an extra that is not installed is the user's to install: its error names the
    ``pip install 'nlptransfer[...]'`` to run.
    """
    if isinstance(error, ModuleNotFoundError):
        error = missing_extra(error, "this command") or error
    if not is_user_error(error):
        traceback.print_exception(error)
        what = " ".join(f"{type(error).__name__}: {error}".split())
        _echo_error(
            f"this is a bug in nlptransfer {__version__} ({what}); please report it with the "
            "traceback above and the command that was run"
        )
        return 1
    if debug:
        traceback.print_exception(error)
    _echo_error(user_message(error))
    return INTERRUPTED if isinstance(error, KeyboardInterrupt) else 1


def report_abort() -> int:
    """Tell a command that gave up on purpose (``typer.Abort``); return the exit status."""
    _echo_error("aborted")
    return 1


def report_usage(error: typer.TyperException) -> int:
    """Tell a wrong command line (unknown option, bad value, missing argument) in one line.

    ``error`` is one of click's errors (``typer.TyperException`` is their base in the click
    typer carries).
    """
    if type(error).__name__ == "NoArgsIsHelpError":  # nothing given: the command's help
        shown = error.format_message()  # rich prints the help itself, and returns ""
        if shown.strip():
            typer.echo(shown, err=True)
        return error.exit_code
    message = " ".join(error.format_message().split())
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    _echo_error(message)
    return error.exit_code


def _echo_error(message: str) -> None:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)


def _file_being_read(trace: TracebackType | None) -> str | None:
    """The existing file a local variable names, in the innermost frame below the command line
    that has one (the command line's own variables name all its files, not the one at fault)."""
    frames = [frame for frame, _ in traceback.walk_tb(trace)]
    for frame in reversed(frames):
        if frame.f_globals.get("__name__", "").startswith(__package__ or "nlptransfer.cli"):
            continue
        for name, value in frame.f_locals.items():
            if name == "self" and not isinstance(value, os.PathLike):
                continue
            names_a_file = name in _FILE_VARIABLES or name.endswith(("_path", "_file"))
            if names_a_file and isinstance(value, (str, os.PathLike)) and os.path.exists(value):
                return os.fsdecode(value)
    return None
