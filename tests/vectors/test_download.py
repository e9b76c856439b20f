"""download_file against a real HTTP server on 127.0.0.1 that injects faults."""

from __future__ import annotations

import gzip
import hashlib
import inspect
import logging
import ssl
import urllib.request

import pytest

from nlptransfer.errors import ChecksumMismatchError, DownloadError
from nlptransfer.vectors import download
from nlptransfer.vectors.download import DownloadPolicy, download_file, verify_file
from tests.conftest import gensim_data
from tests.vectors.fault_server import FaultServer

FAST = DownloadPolicy(timeout=0.5, retries=2, backoff=0.01, chunk_size=4096)


@pytest.fixture
def server():
    with FaultServer() as running:
        yield running


@pytest.fixture(scope="module")
def payload() -> bytes:
    """A real vectors file, gzipped: 50+ KB, so a transfer takes several chunks."""
    return gzip.compress(gensim_data("lee_fasttext.vec").read_bytes())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if not p.name.endswith(".lock"))


def test_download_verifies_sha256_md5_and_size(server, payload, tmp_path):
    url = server.add("/v.vec.gz", payload)
    dest = tmp_path / "v.vec.gz"
    got = download_file(
        url,
        dest,
        sha256=sha256(payload),
        md5=hashlib.md5(payload).hexdigest(),
        size=len(payload),
        policy=FAST,
    )
    assert got == dest and dest.read_bytes() == payload
    # no .part or its sidecar left behind; the digests computed are recorded for later checks
    assert leftovers(tmp_path) == ["v.vec.gz", "v.vec.gz.digests.json"]
    first = server.requests()[0].headers
    assert "Range" not in first and first["Accept-Encoding"] == "identity"
    # A second call finds the verified file and asks the server nothing.
    download_file(url, dest, sha256=sha256(payload), policy=FAST)
    assert len(server.requests()) == 1


def test_dropped_connection_resumes_with_a_range_request(server, payload, tmp_path):
    half = len(payload) // 2
    url = server.add("/v.gz", payload, drop_after=half)
    dest = download_file(url, tmp_path / "v.gz", sha256=sha256(payload), policy=FAST)
    assert dest.read_bytes() == payload
    first, second = server.requests()
    assert first.sent == half and "Range" not in first.headers
    assert second.headers["Range"] == f"bytes={half}-"
    assert second.headers["If-Range"] == '"v1"'  # resumes only the same version of the file
    assert second.sent == len(payload) - half  # resumed, not restarted


def test_server_ignoring_range_restarts_cleanly(server, payload, tmp_path):
    half = len(payload) // 2
    url = server.add("/v.gz", payload, drop_after=half, ignore_range=True)
    dest = download_file(url, tmp_path / "v.gz", sha256=sha256(payload), policy=FAST)
    assert dest.read_bytes() == payload  # not the first half twice
    assert server.requests()[1].headers["Range"] == f"bytes={half}-"
    assert server.requests()[1].sent == len(payload)


def test_an_interrupted_run_is_resumed_by_the_next_run(server, payload, tmp_path):
    third = len(payload) // 3
    url = server.add("/v.gz", payload, drop_after=third)
    dest = tmp_path / "v.gz"
    once = DownloadPolicy(timeout=0.5, retries=0, backoff=0.01, chunk_size=4096)
    # The first run fails: dropped at a third, then a retry that restarts and drops at the
    # same place again (no progress), and retries=0 gives up. The partial file stays.
    server.routes["/v.gz"].drop_times = 2
    server.routes["/v.gz"].ignore_range = True
    with pytest.raises(DownloadError, match="without progress"):
        download_file(url, dest, sha256=sha256(payload), policy=once)
    assert not dest.exists() and (tmp_path / "v.gz.part").stat().st_size == third
    server.routes["/v.gz"].ignore_range = False
    download_file(url, dest, sha256=sha256(payload), policy=once)
    assert dest.read_bytes() == payload
    assert server.requests()[-1].headers["Range"] == f"bytes={third}-"


def test_404_moves_on_to_the_next_mirror_without_retrying(server, payload, tmp_path):
    good = server.add("/good.gz", payload)
    dest = download_file(
        [server.url("/missing.gz"), good], tmp_path / "v.gz", sha256=sha256(payload), policy=FAST
    )
    assert dest.read_bytes() == payload
    assert len(server.requests("/missing.gz")) == 1


def test_404_everywhere_names_each_url(server, tmp_path):
    urls = [server.url("/a.gz"), server.url("/b.gz")]
    with pytest.raises(DownloadError) as caught:
        download_file(urls, tmp_path / "v.gz", md5="0" * 32, policy=FAST)
    message = str(caught.value)
    assert "HTTP 404" in message and urls[0] in message and urls[1] in message
    assert not isinstance(caught.value, ChecksumMismatchError)
    assert leftovers(tmp_path) == []


def test_500_is_retried_with_exponential_backoff(server, payload, tmp_path, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(download.time, "sleep", waits.append)
    url = server.add("/v.gz", payload, status=500, status_times=2)
    policy = DownloadPolicy(timeout=0.5, retries=3, backoff=1.0)
    dest = download_file(url, tmp_path / "v.gz", sha256=sha256(payload), policy=policy)
    assert dest.read_bytes() == payload and len(server.requests()) == 3
    assert len(waits) == 2 and 1.0 <= waits[0] <= 1.1 and 2.0 <= waits[1] <= 2.2


def test_500_forever_gives_up_after_the_retries(server, tmp_path, monkeypatch):
    monkeypatch.setattr(download.time, "sleep", lambda seconds: None)
    url = server.add("/v.gz", b"x", status=503)
    with pytest.raises(DownloadError, match="HTTP 503"):
        download_file(url, tmp_path / "v.gz", md5="0" * 32, policy=FAST)
    assert len(server.requests()) == FAST.retries + 1


def test_wrong_checksum_deletes_the_download_and_says_so(server, payload, tmp_path):
    url = server.add("/v.gz", payload[::-1])  # the right size, the wrong bytes
    with pytest.raises(ChecksumMismatchError) as caught:
        download_file(url, tmp_path / "v.gz", sha256=sha256(payload), policy=FAST)
    message = str(caught.value)
    assert f"expected sha256 {sha256(payload)}" in message
    assert f"found {sha256(payload[::-1])}" in message and "deleted" in message
    assert leftovers(tmp_path) == []


def test_a_wrong_size_announced_by_the_server_is_refused(server, payload, tmp_path):
    url = server.add("/v.gz", payload)
    with pytest.raises(ChecksumMismatchError, match=f"expected {len(payload) + 1} bytes, the ser"):
        download_file(url, tmp_path / "v.gz", size=len(payload) + 1, policy=FAST)
    assert leftovers(tmp_path) == [] and len(server.requests()) == 1


def test_a_server_that_never_stops_is_cut_off_at_the_catalogued_size(server, payload, tmp_path):
    limit = 32 << 20  # the server gives up here, so that the test ends whatever the client does
    url = server.add("/v.gz", payload, endless=limit)
    with pytest.raises(DownloadError) as caught:
        download_file(
            url, tmp_path / "v.gz", sha256=sha256(payload), size=len(payload), policy=FAST
        )
    assert not isinstance(caught.value, ChecksumMismatchError)  # refused while reading
    message = str(caught.value)
    assert url in message and f"expected {len(payload):,} bytes, received " in message
    assert "stopped reading" in message and "deleted" in message
    assert leftovers(tmp_path) == [] and len(server.requests()) == 1
    assert server.requests()[0].sent < limit // 4  # only what the socket buffers held


def test_a_stalled_server_times_out(server, tmp_path):
    url = server.add("/v.gz", b"data", stall=5.0)
    with pytest.raises(DownloadError, match="timed out"):
        download_file(url, tmp_path / "v.gz", md5="0" * 32, policy=FAST)
    assert len(server.requests()) == FAST.retries + 1


def test_a_server_stalling_mid_body_is_resumed(server, payload, tmp_path):
    part = len(payload) // 4
    url = server.add("/v.gz", payload, stall=5.0, stall_after=part, stall_times=1)
    dest = download_file(url, tmp_path / "v.gz", sha256=sha256(payload), policy=FAST)
    assert dest.read_bytes() == payload
    assert server.requests()[1].headers["Range"] == f"bytes={part}-"


def test_redirects_are_followed_and_keep_the_range(server, payload, tmp_path):
    half = len(payload) // 2
    server.add("/new/v.gz", payload, drop_after=half)
    url = server.add("/old/v.gz", redirect="/new/v.gz")
    dest = download_file(url, tmp_path / "v.gz", sha256=sha256(payload), policy=FAST)
    assert dest.read_bytes() == payload
    assert [s.path for s in server.requests()] == ["/old/v.gz", "/new/v.gz"] * 2
    assert server.requests("/new/v.gz")[1].headers["Range"] == f"bytes={half}-"


def test_redirects_from_https_down_to_http_are_refused():
    handler = download._SecureRedirectHandler()
    request = urllib.request.Request("https://example.org/v.zip")
    with pytest.raises(DownloadError, match="refusing a redirect"):
        handler.redirect_request(request, None, 302, "Found", {}, "http://example.org/v.zip")
    with pytest.raises(DownloadError, match="refusing a redirect"):
        handler.redirect_request(request, None, 302, "Found", {}, "file:///etc/passwd")
    assert handler.redirect_request(request, None, 302, "Found", {}, "https://x.org/v.zip")


def test_tls_verification_is_always_on():
    context = download.tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    https = [h for h in download.build_opener().handlers if type(h) is urllib.request.HTTPSHandler]
    assert len(https) == 1 and https[0]._context.verify_mode == ssl.CERT_REQUIRED
    assert https[0]._context.check_hostname
    source = inspect.getsource(download)
    for switch in ("CERT_NONE", "_create_unverified_context", "check_hostname = False"):
        assert switch not in source


def test_no_checksum_downloads_with_a_warning(server, payload, tmp_path, caplog):
    url = server.add("/v.gz", payload)
    with caplog.at_level(logging.WARNING, logger="nlptransfer"):
        dest = download_file(url, tmp_path / "v.gz", policy=FAST)
    assert dest.read_bytes() == payload
    assert "integrity cannot be verified" in caplog.text


def test_only_http_and_https_urls(tmp_path):
    with pytest.raises(DownloadError, match="expected an https"):
        download_file("file:///etc/passwd", tmp_path / "x")


def test_verify_file_reports_size_before_hashing(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"abc")
    with pytest.raises(ChecksumMismatchError, match="expected 4 bytes, found 3"):
        verify_file(path, size=4, md5="900150983cd24fb0d6963f7d28e17f72")
    assert verify_file(path, size=3, md5="900150983CD24FB0D6963F7D28E17F72") == {
        "md5": "900150983cd24fb0d6963f7d28e17f72"
    }


def test_policy_from_the_environment(monkeypatch):
    monkeypatch.setenv("NLPTRANSFER_DOWNLOAD_TIMEOUT", "2.5")
    monkeypatch.setenv("NLPTRANSFER_DOWNLOAD_RETRIES", "7")
    assert DownloadPolicy.from_env() == DownloadPolicy(timeout=2.5, retries=7)
    monkeypatch.setenv("NLPTRANSFER_DOWNLOAD_RETRIES", "many")
    with pytest.raises(DownloadError, match=r"NLPTRANSFER_DOWNLOAD_RETRIES .* found 'many'"):
        DownloadPolicy.from_env()


def test_a_cached_file_is_checked_against_the_checksum_asked_for(server, payload, tmp_path):
    url = server.add("/v.gz", payload)
    dest = download_file(url, tmp_path / "v.gz", sha256=sha256(payload), policy=FAST)
    with pytest.raises(ChecksumMismatchError) as caught:  # the same URL, another checksum
        download_file(url, dest, sha256=sha256(b"other"), policy=FAST)
    message = str(caught.value)
    assert str(dest) in message and f"expected sha256 {sha256(b'other')}" in message
    assert f"found {sha256(payload)}" in message and dest.read_bytes() == payload
    md5 = hashlib.md5(payload).hexdigest()
    record = tmp_path / "v.gz.digests.json"
    record.unlink()
    record.mkdir()  # unwritable (even for root): checked all the same, nothing recorded
    download_file(url, dest, md5=md5, policy=FAST)
    with pytest.raises(ChecksumMismatchError, match=f"found {md5}"):
        download_file(url, dest, md5="0" * 32, policy=FAST)
    assert len(server.requests()) == 1
