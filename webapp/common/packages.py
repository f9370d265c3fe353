"""Office files (.xlsx, .docx) are zip packages; an upload is checked here before any library
opens it: that it is a zip at all, that it holds the expected main part, and that its entry count
and unpacked size are bounded, so a zip bomb is refused without being unpacked."""

import io
import zipfile

MAX_ZIP_ENTRIES = 2000


class PackageError(ValueError):
    """The upload is not a usable package; the message says why, in Chinese. `wrong_kind` is set
    when it is some other kind of file (not an old binary format of the same kind, nor a damaged one)."""

    def __init__(self, message: str, wrong_kind: bool = False):
        super().__init__(message)
        self.wrong_kind = wrong_kind


def check_package(data: bytes, *, what: str, suffix: str, main_part: str, max_unpacked: int,
                  legacy: str = "") -> zipfile.ZipFile:
    """Return the opened zip, or raise PackageError. `what` names the expected file in messages
    (“Excel 文件”), `legacy` is the old binary format's suffix (“.xls”) when it deserves a hint."""
    space = " " if what[:1].isascii() else ""  # 上传的不是 Excel 文件 / 上传的不是模板
    if not data.startswith(b"PK\x03\x04"):
        if legacy and data.startswith(b"\xd0\xcf\x11\xe0"):
            raise PackageError(f"这是旧版 {legacy} 文件，请用 Office 或 WPS 另存为 {suffix} 后再上传")
        raise PackageError(f"上传的不是{space}{what}（{suffix}）", True)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise PackageError(f"上传的文件已损坏，不是有效的 {suffix} 文件") from None
    entries = archive.infolist()
    if len(entries) > MAX_ZIP_ENTRIES:
        raise PackageError("文件内部结构异常（条目过多），已拒绝")
    if sum(e.file_size for e in entries) > max_unpacked:
        raise PackageError("文件解压后过大（可能是压缩炸弹），已拒绝")
    if main_part not in {e.filename for e in entries}:
        raise PackageError(f"上传的文件不是{space}{what}（{suffix}）", True)
    return archive
