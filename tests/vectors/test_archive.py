"""Archive safety: members that would land outside the folder refuse the whole archive."""

from __future__ import annotations

import io
import zipfile

import pytest

from nlptransfer.errors import UnsafeArchiveError, VectorsFormatError
from nlptransfer.vectors import archive as archive_module
from nlptransfer.vectors.archive import archive_kind, check_archive, safe_extract
from tests.conftest import gensim_data
from tests.vectors.archives import tarred, zipped

GLOVE = gensim_data("test_glove.txt")


@pytest.mark.parametrize(
    "archive",
    [
        pytest.param(lambda: zipped({"ok.txt": b"1", "../evil.txt": b"x"}), id="zip-dotdot"),
        pytest.param(lambda: zipped({"ok.txt": b"1", "/tmp/evil.txt": b"x"}), id="zip-abs"),
        pytest.param(lambda: zipped({"a\\..\\..\\evil.txt": b"x"}), id="zip-backslash"),
        pytest.param(lambda: tarred({"ok.txt": b"1", "../evil.txt": b"x"}), id="tar-dotdot"),
        pytest.param(lambda: tarred({"/tmp/evil.txt": b"x"}), id="tar-abs"),
        pytest.param(lambda: tarred({"ok.txt": b"1"}, {"evil.txt": "/etc/passwd"}), id="symlink"),
    ],
)
def test_safe_extract_refuses_members_landing_outside(tmp_path, archive):
    path = tmp_path / "archive"
    path.write_bytes(archive())
    out = tmp_path / "deep" / "out"
    with pytest.raises(UnsafeArchiveError, match="refusing the archive"):
        safe_extract(path, out)
    assert not out.exists()  # refused before anything was written
    assert list(tmp_path.rglob("evil.txt")) == [] and list(tmp_path.rglob("ok.txt")) == []


def test_safe_extract_writes_regular_members(tmp_path):
    path = tmp_path / "a.tar.gz"
    path.write_bytes(tarred({"d/one.txt": b"1", "two.txt": b"2"}))
    assert check_archive(path) == ["d/one.txt", "two.txt"]
    written = safe_extract(path, tmp_path / "out", ["d/one.txt"])
    assert written == [(tmp_path / "out" / "d" / "one.txt").resolve()]
    assert written[0].read_bytes() == b"1" and not (tmp_path / "out" / "two.txt").exists()
    with pytest.raises(VectorsFormatError, match=r"expected a \.zip or \.tar archive"):
        check_archive(GLOVE)


def test_archive_kind_reads_content_not_names(tmp_path):
    zip_named_tar = tmp_path / "a.tar"
    zip_named_tar.write_bytes(zipped({"v.txt": b"cat 1 2\n"}))
    tar_named_zip = tmp_path / "a.zip"
    tar_named_zip.write_bytes(tarred({"v.txt": b"cat 1 2\n"}))
    assert archive_kind(zip_named_tar) == "zip" and archive_kind(tar_named_zip) == "tar"
    assert archive_kind(GLOVE) is None


# --- zip and tar bombs: a cap on what an archive may unpack to -----------------------------------


@pytest.fixture
def small_limit(monkeypatch):
    """1 MiB at least, 20 times the archive's size at most: as in use, scaled down."""
    monkeypatch.setattr(archive_module, "MIN_EXTRACTION_LIMIT", 1 << 20)


@pytest.mark.parametrize("pack", ["zip", "tar"])
def test_an_archive_that_unpacks_to_far_more_than_its_size_is_refused(tmp_path, small_limit, pack):
    zeros = bytes(4 << 20)  # 4 MiB of zeros deflate to about 4 KB
    if pack == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("v.txt", zeros)
        data = buffer.getvalue()
    else:
        data = tarred({"v.txt": zeros})
    path = tmp_path / f"bomb.{pack}"
    path.write_bytes(data)
    assert len(data) < 20_000
    with pytest.raises(UnsafeArchiveError, match="zip or tar bomb") as info:
        safe_extract(path, tmp_path / "out")
    assert str(path) in str(info.value)
    assert not any((tmp_path / "out").rglob("*.txt"))  # refused before anything was written


def test_many_members_add_up_to_the_cap(tmp_path, small_limit):
    data = tarred({f"part{i}.txt": bytes(300_000) for i in range(5)})  # 1.5 MB in all
    path = tmp_path / "parts.tar.gz"
    path.write_bytes(data)
    with pytest.raises(UnsafeArchiveError, match="at most 1,048,576 bytes"):
        safe_extract(path, tmp_path / "out")
    assert len(safe_extract(path, tmp_path / "out", ["part0.txt", "part1.txt"])) == 2


def test_an_ordinary_archive_is_well_within_the_cap(tmp_path):
    text = gensim_data("test_glove.txt").read_bytes()
    path = tmp_path / "v.tar.gz"
    path.write_bytes(tarred({"v.txt": text}))
    assert len(text) < archive_module.extraction_limit(path)
    (written,) = safe_extract(path, tmp_path / "out")
    assert written.read_bytes() == text
