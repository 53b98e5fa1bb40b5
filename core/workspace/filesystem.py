"""Which file system a path lives on, and whether it is a network file system: one that sends no change
events and where SQLite's WAL is unsafe. Linux says so in its mount table; elsewhere the type is unknown,
which callers treat as local.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

# Storage that other hosts (or a VM's host) change too: NFS, SMB/CIFS, NetWare, AFS, 9p and virtiofs (VMs,
# WSL), cluster file systems (Ceph, GlusterFS, Lustre, GPFS) and FUSE mounts of remote storage. Their changes
# send no inotify events, and their shared memory and locks are not coherent enough for SQLite's WAL.
NETWORK_FILE_SYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ncpfs", "afs", "9p", "virtiofs",
    "ceph", "fuse.ceph-fuse", "glusterfs", "fuse.glusterfs", "lustre", "gpfs",
    "sshfs", "fuse.sshfs", "davfs", "fuse.davfs2", "fuse.rclone", "fuse.s3fs", "fuse.gcsfuse",
})  # fmt: skip

# The kernel writes a space, tab, newline or backslash in a mount point as a three-digit octal escape.
OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")

Mount = tuple[str, str]  # (mount point, file system type)
MountReader = Callable[[str], list[Mount]]


def unescape(field: str) -> str:
    return OCTAL_ESCAPE.sub(lambda match: chr(int(match.group(1), 8)), field)


def mountinfo_mounts(text: str) -> list[Mount]:
    """The mounts of `/proc/self/mountinfo`: the mount point is the fifth field, the type follows the
    `-` that ends the variable number of optional fields."""
    mounts = []
    for line in text.splitlines():
        fields = line.split(" ")
        if "-" in fields[6:-1]:
            mounts.append((unescape(fields[4]), fields[fields.index("-", 6) + 1]))
    return mounts


def proc_mounts(text: str) -> list[Mount]:
    """The mounts of `/proc/mounts` (fstab format): device, mount point, type, options, dump, pass."""
    mounts = []
    for line in text.splitlines():
        fields = line.split(" ")
        if len(fields) >= 3:
            mounts.append((unescape(fields[1]), fields[2]))
    return mounts


def file_system_type(path: str, table: str, read_mounts: MountReader = mountinfo_mounts) -> str | None:
    """The type of the file system the absolute, resolved `path` lives on, from the text of a mount table:
    that of the deepest mount point containing it. Of two mounts on one point (autofs, then the NFS share
    it mounts on demand) the later one is the visible one."""
    parts = PurePosixPath(path).parts
    deepest, found = -1, None
    for mount_point, fs_type in read_mounts(table):
        prefix = PurePosixPath(mount_point).parts
        if len(prefix) >= deepest and parts[: len(prefix)] == prefix:
            deepest, found = len(prefix), fs_type
    return found


# Where Linux publishes the mount table; /proc/mounts alone on kernels or sandboxes without mountinfo.
MOUNT_TABLES: tuple[tuple[Path, MountReader], ...] = (
    (Path("/proc/self/mountinfo"), mountinfo_mounts),
    (Path("/proc/mounts"), proc_mounts),
)


def detect_file_system_type(path: str | os.PathLike) -> str | None:
    """The type of the file system `path` lives on, or None when no mount table can be read (not Linux).
    A path that does not exist yet lives where its nearest existing ancestor does: `resolve` keeps the
    components it cannot find, and a directory that does not exist is no mount point."""
    real = str(Path(path).resolve())
    for table, read_mounts in MOUNT_TABLES:
        try:
            text = table.read_text(encoding="utf-8", errors="surrogateescape")
        except OSError:
            continue
        return file_system_type(real, text, read_mounts)
    return None


def is_network_file_system(fs_type: str | None) -> bool:
    return fs_type in NETWORK_FILE_SYSTEMS
