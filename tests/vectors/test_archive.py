"""Archive safety: members that would land outside the folder refuse the whole archive."""

from __future__ import annotations

import pytest

from nlptransfer.errors import UnsafeArchiveError, VectorsFormatError
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
