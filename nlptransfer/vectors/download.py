"""Resumable, verified HTTP(S) downloads: what the catalogue's named vectors travel through.

:func:`download_file` fetches one file (trying mirror URLs in order) and makes sure that only a
complete, verified file ever appears at its destination:

* the bytes go to ``<dest>.part`` first; an interrupted transfer resumes from the partial file's
  size with an HTTP ``Range`` request (guarded by ``If-Range``, so a file that changed on the
  server restarts instead of being spliced), also in a later run; a server that ignores ``Range``
  (answers 200, not 206) restarts the file cleanly;
* dropped connections, timeouts (a server that stalls for ``timeout`` seconds) and HTTP 408, 429
  and 5xx are retried with exponential backoff; other HTTP errors (404, 403, ...) move on to the
  next URL at once;
* redirects are followed, never from ``https`` down to ``http``; TLS certificates and host names
  are always verified (:func:`tls_context`), there is no switch to turn that off;
* no more bytes are read than the file should have (the catalogued ``size``, else the length the
  server announced): a server that keeps sending is cut off at once, the partial file deleted,
  and :class:`~nlptransfer._util.errors.DownloadError` names the URL, expected and received sizes;
* the size and checksum (``sha256`` and/or ``md5``) are checked before the file is renamed into
  place, atomically; a mismatch deletes the download and raises
  :class:`~nlptransfer._util.errors.ChecksumMismatchError`; a file with no checksum to check is
  downloaded with a warning saying so;
* the digests computed are recorded beside the file (``<dest>.digests.json``, with its size and
  modification time), so a later run can check a cached file against a checksum without reading
  it again (:func:`verify_cached`); a file that is already at ``dest`` is returned only once it
  matches the checksums asked for;
* a lock file (``<dest>.lock``, ``fcntl.flock``) lets one process download while others wait and
  then find the finished file.

Example:
    >>> import pathlib, tempfile
    >>> dest = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
    >>> _ = dest.write_text("cat 1 2\\n")  # already downloaded: returned without any request
    >>> download_file("https://example.org/v.txt", dest) == dest
    True
    >>> verify_file(dest, size=8, md5="51b2b2c3cd0e0dfa5e3e1bb3cf4ff6e2")
    Traceback (most recent call last):
    ...
    nlptransfer._util.errors.ChecksumMismatchError: expected md5 51b2b2c3cd0e0dfa5e3e1bb3cf4ff6e2, \
found 82f73ae14a8fb4b68a720ec0b6d31ed6
"""

from __future__ import annotations

import contextlib
import http.client
import importlib.metadata
import json
import logging
import os
import random
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from tqdm.auto import tqdm

from nlptransfer._util.errors import ChecksumMismatchError, DownloadError
from nlptransfer._util.files import exclusive_lock, file_digests
from nlptransfer._util.progress import progress_enabled

logger = logging.getLogger(__name__)

#: HTTP statuses worth retrying: the server may answer differently in a moment.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
PART_SUFFIX = ".part"
LOCK_SUFFIX = ".lock"
DIGESTS_SUFFIX = ".digests.json"


def _user_agent() -> str:
    try:
        version = importlib.metadata.version("nlptransfer")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - not installed
        version = "unknown"
    return f"nlptransfer/{version} (+python-urllib)"


@dataclass(frozen=True)
class DownloadPolicy:
    """How patiently to download.

    Attributes:
        timeout: seconds to wait for a connection or for the next bytes before giving up on
            that attempt (a stalled server).
        retries: attempts in a row that bring no new bytes, after the first, before a URL is
            given up; an attempt that made progress resets the count.
        backoff: seconds to wait before the first retry; doubled for each further one.
        max_backoff: the longest wait between two attempts.
        chunk_size: bytes read at a time.

    Example:
        >>> DownloadPolicy(backoff=1.0).delay(3) >= 4.0
        True
    """

    timeout: float = 60.0
    retries: int = 5
    backoff: float = 1.0
    max_backoff: float = 60.0
    chunk_size: int = 1 << 20

    def delay(self, failures: int) -> float:
        """Seconds to wait after ``failures`` failed attempts in a row (with a little jitter)."""
        base = min(self.backoff * 2 ** max(failures - 1, 0), self.max_backoff)
        return base * (1 + 0.1 * random.random())

    @classmethod
    def from_env(cls) -> DownloadPolicy:
        """The defaults, overridden by ``NLPTRANSFER_DOWNLOAD_TIMEOUT`` (seconds),
        ``NLPTRANSFER_DOWNLOAD_RETRIES`` and ``NLPTRANSFER_DOWNLOAD_BACKOFF`` (seconds)."""
        default = cls()
        return cls(
            timeout=_env_number(
                "NLPTRANSFER_DOWNLOAD_TIMEOUT", float, default.timeout, positive=True
            ),
            retries=_env_number("NLPTRANSFER_DOWNLOAD_RETRIES", int, default.retries),
            backoff=_env_number("NLPTRANSFER_DOWNLOAD_BACKOFF", float, default.backoff),
        )


_Number = TypeVar("_Number", int, float)


def _env_number(
    name: str, kind: type[_Number], default: _Number, *, positive: bool = False
) -> _Number:
    """The number in environment variable ``name`` (``default`` when unset or empty), refused
    unless it is ``>= 0`` (``> 0`` when ``positive``)."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = kind(-1)  # refused just below
    if value < 0 or (positive and value == 0):
        raise DownloadError(
            f"{name} must be a {'whole ' if kind is int else ''}number "
            f"{'> 0' if positive else '>= 0'}, found {raw!r}"
        )
    return value


def tls_context() -> ssl.SSLContext:
    """The TLS settings of every download: certificates and host names always verified.

    The system's CA certificates are used (``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` point elsewhere);
    where the system has none, ``certifi``'s bundle is added when it is installed.

    Example:
        >>> import ssl
        >>> context = tls_context()
        >>> context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
        True
    """
    context = ssl.create_default_context()
    paths = ssl.get_default_verify_paths()
    if not (paths.cafile or paths.capath):
        with contextlib.suppress(ImportError):
            import certifi

            context.load_verify_locations(certifi.where())
    return context


class _SecureRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows redirects (keeping the ``Range`` header) but never from https to http."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        old, new = urlsplit(req.full_url).scheme, urlsplit(newurl).scheme
        if new not in ("http", "https") or (old == "https" and new != "https"):
            raise DownloadError(
                f"{req.full_url}: refusing a redirect (HTTP {code}) to {newurl!r}: expected an "
                f"{'https' if old == 'https' else 'http(s)'} URL"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def build_opener() -> urllib.request.OpenerDirector:
    """A urllib opener whose HTTPS connections use :func:`tls_context` and whose redirects
    never downgrade to plain HTTP."""
    return urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=tls_context()), _SecureRedirectHandler()
    )


# -- checksums --------------------------------------------------------------------------------
def verify_file(
    path: str | Path,
    *,
    sha256: str | None = None,
    md5: str | None = None,
    size: int | None = None,
    progress: bool | None = None,
) -> dict[str, str]:
    """Check a file's size and checksums; return the digests computed.

    Raises:
        ChecksumMismatchError: saying which of size, sha256 or md5 differs, expected and found.
    """
    path = Path(path)
    found_size = path.stat().st_size
    if size is not None and found_size != size:
        raise ChecksumMismatchError(f"expected {size} bytes, found {found_size}")
    expected = {name: value.lower() for name, value in (("sha256", sha256), ("md5", md5)) if value}
    if not expected:
        return {}
    digests = file_digests(path, list(expected), progress=progress)
    for name, value in expected.items():
        if digests[name] != value:
            raise ChecksumMismatchError(f"expected {name} {value}, found {digests[name]}")
    return digests


def _digests_path(path: Path) -> Path:
    return path.with_name(path.name + DIGESTS_SUFFIX)


def _stamp(path: Path) -> list[int]:
    info = path.stat()
    return [info.st_size, info.st_mtime_ns]


def record_digests(path: str | Path, digests: dict[str, str]) -> None:
    """Record the digests just computed for ``path`` beside it (``<path>.digests.json``), valid
    while its size and modification time stay as they are now (nothing, where the folder is
    read-only)."""
    path = Path(path)
    record = {"stamp": _stamp(path), **recorded_digests(path), **digests}
    try:
        _digests_path(path).write_text(json.dumps(record, sort_keys=True))
    except OSError as exc:  # a read-only cache: the digests are computed again next time
        logger.debug("could not record the digests of %s (%s)", path, exc)


def recorded_digests(path: str | Path) -> dict[str, str]:
    """The digests recorded for ``path`` by :func:`record_digests`; none when the file changed
    since (other size or modification time) or nothing was recorded."""
    path = Path(path)
    try:
        record = json.loads(_digests_path(path).read_text())
        if record.pop("stamp") != _stamp(path):
            return {}
    except (OSError, ValueError, KeyError, AttributeError):
        return {}
    return {k: v for k, v in record.items() if k in ("sha256", "md5") and isinstance(v, str)}


def verify_cached(
    path: str | Path,
    *,
    sha256: str | None = None,
    md5: str | None = None,
    size: int | None = None,
    progress: bool | None = None,
) -> None:
    """Check a cached file against the checksums asked for now, as :func:`verify_file` does,
    using the digests recorded when it was downloaded where they cover them (only the missing
    ones are computed, then recorded).

    Example:
        >>> import pathlib, tempfile
        >>> cached = pathlib.Path(tempfile.mkdtemp()) / "v.txt"
        >>> _ = cached.write_text("abc")
        >>> record_digests(cached, {"md5": "900150983cd24fb0d6963f7d28e17f72"})
        >>> verify_cached(cached, md5="900150983cd24fb0d6963f7d28e17f72", size=3)
        >>> verify_cached(cached, md5="0" * 32)
        Traceback (most recent call last):
        ...
        nlptransfer._util.errors.ChecksumMismatchError: expected md5 000..., found 9001...

    Raises:
        ChecksumMismatchError: the size or a checksum differs (expected and found).
    """
    path = Path(path)
    found_size = path.stat().st_size
    if size is not None and found_size != size:
        raise ChecksumMismatchError(f"expected {size} bytes, found {found_size}")
    expected = {name: value.lower() for name, value in (("sha256", sha256), ("md5", md5)) if value}
    known = recorded_digests(path)
    missing = [name for name in expected if name not in known]
    if missing:
        computed = file_digests(path, missing, progress=progress)
        record_digests(path, computed)
        known.update(computed)
    for name, value in expected.items():
        if known[name] != value:
            raise ChecksumMismatchError(f"expected {name} {value}, found {known[name]}")


# -- the transfer -----------------------------------------------------------------------------
class _Retryable(Exception):
    """An attempt failed in a way another attempt may not (dropped, timed out, 5xx).

    ``restart``: the partial file cannot be resumed and must be dropped first.
    """

    def __init__(self, message: str, *, restart: bool = False) -> None:
        super().__init__(message)
        self.restart = restart


@dataclass(frozen=True)
class _Partial:
    """``<dest>.part`` and its sidecar ``<dest>.part.json`` (the URL and its validator)."""

    path: Path

    @property
    def sidecar(self) -> Path:
        return self.path.with_name(self.path.name + ".json")

    def size(self) -> int:
        return self.path.stat().st_size if self.path.is_file() else 0

    def offset_for(self, url: str) -> int:
        """Bytes that can be resumed from for ``url`` (0, and the file dropped, if none)."""
        if self.size() and self._state().get("url") == url:
            return self.size()
        self.discard()
        return 0

    def validator(self) -> str | None:
        return self._state().get("validator")

    def start(self, url: str, validator: str | None) -> None:
        self.sidecar.write_text(json.dumps({"url": url, "validator": validator}))

    def discard(self) -> None:
        for path in (self.path, self.sidecar):
            path.unlink(missing_ok=True)

    def _state(self) -> dict:
        try:
            return json.loads(self.sidecar.read_text())
        except (OSError, ValueError):
            return {}


def _strong_validator(headers: http.client.HTTPMessage) -> str | None:
    """An ``If-Range`` value: a strong ETag, else Last-Modified."""
    etag = headers.get("ETag")
    if etag and not etag.startswith("W/"):
        return etag
    return headers.get("Last-Modified")


def _content_range(value: str | None) -> tuple[int | None, int | None]:
    """``bytes START-END/TOTAL`` -> ``(START, TOTAL)``; ``None`` for what is missing."""
    if not value or not value.startswith("bytes "):
        return None, None
    span, _, total = value[6:].partition("/")
    start = span.partition("-")[0]
    return (
        int(start) if start.strip().isdigit() else None,
        int(total) if total.strip().isdigit() else None,
    )


def _is_certificate_error(reason: object) -> bool:
    return isinstance(reason, ssl.SSLCertVerificationError) or (
        isinstance(reason, ssl.SSLError) and "CERTIFICATE" in str(reason).upper()
    )


def _open(
    opener: urllib.request.OpenerDirector, request: urllib.request.Request, timeout: float
) -> http.client.HTTPResponse:
    url = request.full_url
    try:
        return opener.open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code in RETRY_STATUSES:
            raise _Retryable(f"HTTP {exc.code} {exc.reason}") from None
        if exc.code == 416:
            raise _Retryable(
                "HTTP 416: the server cannot resume from the partial file", restart=True
            ) from None
        raise DownloadError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        if _is_certificate_error(exc.reason):
            raise DownloadError(
                f"TLS certificate verification failed for {url} ({exc.reason}); verification is "
                "always on: if your network inspects TLS with its own CA, point SSL_CERT_FILE "
                "at a bundle that includes it"
            ) from None
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise _Retryable(f"no answer within {timeout:g}s (timed out)") from None
        raise _Retryable(f"connection failed ({reason})") from None
    except TimeoutError:
        raise _Retryable(f"no answer within {timeout:g}s (timed out)") from None
    except (ConnectionError, http.client.HTTPException) as exc:
        raise _Retryable(f"connection failed ({exc!r})") from None


def _attempt(
    opener: urllib.request.OpenerDirector,
    url: str,
    partial: _Partial,
    offset: int,
    size: int | None,
    policy: DownloadPolicy,
    progress: bool | None,
    label: str,
) -> None:
    """One request: append to (206) or restart (200) the partial file until the body ends."""
    headers = {"User-Agent": _user_agent(), "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
        validator = partial.validator()
        if validator:
            headers["If-Range"] = validator
    request = urllib.request.Request(url, headers=headers)
    try:
        response = _open(opener, request, policy.timeout)
    except _Retryable as exc:
        if exc.restart:
            partial.discard()
        raise
    with response:
        length = response.headers.get("Content-Length")
        body = int(length) if length and length.strip().isdigit() else None
        if offset and response.status == 206:
            start, total = _content_range(response.headers.get("Content-Range"))
            if start != offset:
                partial.discard()
                raise _Retryable(f"asked to resume at byte {offset}, the server sent {start}")
            if total is None and body is not None:
                total = offset + body
            mode = "ab"
        else:
            if offset:
                logger.info(
                    "%s: the server ignored the Range request (HTTP %d); restarting from byte 0",
                    url,
                    response.status,
                )
            offset, total, mode = 0, body, "wb"
        if size is not None and total is not None and total != size:
            raise ChecksumMismatchError(
                f"expected {size} bytes, the server announces {total}: not the catalogued file"
            )
        partial.start(url, _strong_validator(response.headers))
        limit = size if size is not None else total
        try:
            received = _stream(
                response, partial.path, mode, offset, total, limit, policy, progress, label
            )
        except DownloadError as exc:
            partial.discard()
            raise DownloadError(f"{url}: {exc}; the partial download was deleted") from None
    if total is not None and offset + received < total:
        raise _Retryable(f"the connection closed after {offset + received:,} of {total:,} bytes")


def _stream(
    response: http.client.HTTPResponse,
    path: Path,
    mode: str,
    offset: int,
    total: int | None,
    limit: int | None,
    policy: DownloadPolicy,
    progress: bool | None,
    label: str,
) -> int:
    """Copy the body to ``path``, with a progress bar (bytes, speed, ETA); bytes received.

    Raises:
        DownloadError: the file would grow past ``limit`` bytes (reading stopped there).
    """
    received = 0
    overflow = 0
    with (
        open(path, mode) as out,
        tqdm(
            total=total,
            initial=offset,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=label,
            disable=not progress_enabled(progress),
            leave=False,
        ) as bar,
    ):
        while True:
            try:
                chunk = response.read1(policy.chunk_size)
            except TimeoutError:
                raise _Retryable(
                    f"no data for {policy.timeout:g}s after {offset + received:,} bytes (timed out)"
                ) from None
            except (ConnectionError, http.client.HTTPException, ssl.SSLError) as exc:
                raise _Retryable(
                    f"the connection broke after {offset + received:,} bytes ({exc!r})"
                ) from None
            if not chunk:
                break
            if limit is not None and offset + received + len(chunk) > limit:
                overflow = offset + received + len(chunk)
                break
            out.write(chunk)
            received += len(chunk)
            bar.update(len(chunk))
        out.flush()
        os.fsync(out.fileno())
    if overflow:
        raise DownloadError(
            f"expected {limit:,} bytes, received {overflow:,} and more were coming: stopped reading"
        )
    return received


def _transfer(
    url: str,
    partial: _Partial,
    size: int | None,
    policy: DownloadPolicy,
    progress: bool | None,
    label: str,
) -> None:
    """Fetch ``url`` into the partial file, resuming and retrying until it is complete."""
    opener = build_opener()
    failures = 0
    while True:
        offset = partial.offset_for(url)
        if size is not None and offset >= size:
            if offset == size:
                return  # complete from an earlier run; verified next
            partial.discard()
            offset = 0
        if offset:
            logger.info("%s: resuming at byte %d", url, offset)
        try:
            _attempt(opener, url, partial, offset, size, policy, progress, label)
            return
        except _Retryable as exc:
            reason = str(exc)
        failures = 0 if partial.size() > offset else failures + 1
        if failures > policy.retries:
            raise DownloadError(
                f"gave up after {failures} attempts in a row without progress; last: {reason}"
            )
        wait = policy.delay(max(failures, 1))
        logger.warning("%s: %s; retrying in %.1fs from byte %d", url, reason, wait, partial.size())
        time.sleep(wait)


def download_file(
    urls: str | Sequence[str],
    dest: str | Path,
    *,
    sha256: str | None = None,
    md5: str | None = None,
    size: int | None = None,
    policy: DownloadPolicy | None = None,
    progress: bool | None = None,
    description: str | None = None,
) -> Path:
    """Download one file to ``dest``, verified and atomically; return ``dest``.

    Args:
        urls: the file's URL, or the same file on several mirrors, tried in order.
        dest: where the finished file goes. If it exists it is returned once it matches the
            size and checksums given (:func:`verify_cached`); it is never downloaded again
            here: only complete, verified downloads are ever renamed to ``dest``.
        sha256, md5: expected checksums (hex), checked before the rename.
        size: expected size in bytes, checked against the server's announcement and the file.
        policy: timeouts and retries (default: :meth:`DownloadPolicy.from_env`).
        progress: a progress bar with bytes, speed and ETA (default: on a terminal or in
            Jupyter, see ``progress_enabled``).
        description: what to call the file in messages and on the bar.

    Raises:
        ChecksumMismatchError: a mirror served a file of the wrong size or checksum (it was
            deleted) and no other mirror served the right one; or ``dest`` exists and differs
            from the checksums given (it is kept: see :func:`verify_cached`).
        DownloadError: no URL could be downloaded; the message lists each URL and why.
    """
    urls = (urls,) if isinstance(urls, str) else tuple(urls)
    if not urls:
        raise ValueError("download_file needs at least one URL")
    for url in urls:
        if urlsplit(url).scheme not in ("http", "https"):
            raise DownloadError(f"expected an https:// (or http://) URL, found {url!r}")
    dest = Path(dest)
    label = description or dest.name
    policy = policy or DownloadPolicy.from_env()
    with exclusive_lock(dest.with_name(dest.name + LOCK_SUFFIX), what=f"downloading {label}"):
        if dest.is_file():
            try:
                verify_cached(dest, sha256=sha256, md5=md5, size=size, progress=progress)
            except ChecksumMismatchError as exc:
                raise ChecksumMismatchError(
                    f"{label}: the file already at {dest} is not the one asked for ({exc})"
                ) from None
            logger.debug("%s is already downloaded at %s", label, dest)
            return dest
        if not (sha256 or md5):
            logger.warning(
                "%s: no checksum is published for %s, so its integrity cannot be verified",
                label,
                urls[0],
            )
        partial = _Partial(dest.with_name(dest.name + PART_SUFFIX))
        failures: list[str] = []
        mismatch = False
        for number, url in enumerate(urls, start=1):
            try:
                _transfer(url, partial, size, policy, progress, label)
                digests = verify_file(
                    partial.path, sha256=sha256, md5=md5, size=size, progress=progress
                )
            except ChecksumMismatchError as exc:
                partial.discard()
                mismatch = True
                failures.append(f"{url}: {exc}; the download was deleted")
            except DownloadError as exc:
                failures.append(f"{url}: {exc}")
            else:
                _digests_path(dest).unlink(missing_ok=True)
                os.replace(partial.path, dest)
                partial.sidecar.unlink(missing_ok=True)
                if digests:
                    record_digests(dest, digests)
                logger.info("downloaded %s from %s to %s", label, url, dest)
                return dest
            if number < len(urls):
                logger.warning("%s; trying the next mirror", failures[-1])
    error = ChecksumMismatchError if mismatch else DownloadError
    raise error(f"could not download {label}:\n  " + "\n  ".join(failures))
