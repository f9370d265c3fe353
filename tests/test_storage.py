import io

import pytest

from webapp import storage


def test_save_and_read_back(app, tmp_path):
    key = storage.save(b"hello", "uploads", "txt")
    assert key.startswith("uploads/") and key.endswith(".txt")
    assert storage.path(key).is_relative_to(tmp_path / "files")
    with storage.open_file(key) as f:
        assert f.read() == b"hello"
    streamed = storage.save(io.BytesIO(b"x" * 100_000), "generated", "docx")
    assert storage.path(streamed).stat().st_size == 100_000
    storage.delete(key)
    assert not storage.exists(key)


@pytest.mark.parametrize("key", ["../etc/passwd", "uploads/202611/../../x", "/abs/path", "uploads/x.txt"])
def test_keys_cannot_escape_the_storage_folder(app, key):
    with pytest.raises(ValueError):
        storage.path(key)


def test_folder_and_suffix_are_checked(app):
    with pytest.raises(ValueError):
        storage.save(b"", "../up")
    with pytest.raises(ValueError):
        storage.save(b"", "uploads", "php/../x")
