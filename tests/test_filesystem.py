"""Which file system a path lives on, from the kernel's mount table: the deepest mount point containing the
path, compared component by component, with the kernel's octal escapes decoded."""

from pathlib import Path

import pytest

from skillwarden.core.workspace import filesystem
from skillwarden.core.workspace.filesystem import (
    detect_file_system_type,
    file_system_type,
    is_network_file_system,
    proc_mounts,
)

MOUNTINFO = """\
22 27 0:21 / /proc rw,relatime - proc proc rw
27 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro
40 27 0:45 / /mnt/shared rw,relatime shared:20 - nfs4 fileserver:/export/shared rw,vers=4.2,addr=10.0.0.5
41 40 252:17 / /mnt/shared/scratch rw,relatime shared:21 master:3 - ext4 /dev/vdb1 rw
42 27 0:46 / /mnt/my\\040share rw,relatime - cifs //nas/share rw,vers=3.1.1
43 27 0:47 / /mnt/a rw,relatime - fuse.sshfs me@host:/home/me rw,user_id=1000
44 27 0:48 / /mnt/ab rw,relatime - tmpfs tmpfs rw
45 27 0:49 / /mnt/tab\\011and\\134backslash rw - 9p drvfs rw
50 27 0:50 / /home rw,relatime shared:30 - autofs systemd-1 rw,fd=52
51 50 0:51 / /home rw,relatime shared:31 - nfs homes:/export/home rw
"""

PROC_MOUNTS = """\
/dev/sda1 / ext4 rw 0 0
server:/export /mnt/nfs nfs4 rw 0 0
/dev/sdb1 /mnt/nfs/local ext4 rw 0 0
//host/share /mnt/my\\040share cifs rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "ext4"),
        ("/var/lib/skillwarden/state.db", "ext4"),
        ("/proc/self", "proc"),
        ("/mnt/shared", "nfs4"),
        ("/mnt/shared/ws/state.db", "nfs4"),
        ("/mnt/shared/scratch/ws", "ext4"),  # the nested mount is deeper, so it wins
        ("/mnt/sharedx/ws", "ext4"),  # a longer name, not a path below the mount point
        ("/mnt/my share/ws", "cifs"),
        ("/mnt/a/ws", "fuse.sshfs"),
        ("/mnt/ab/ws", "tmpfs"),  # /mnt/a does not contain /mnt/ab
        ("/mnt/tab\tand\\backslash/ws", "9p"),
        ("/home/me", "nfs"),  # autofs mounted the share over itself: the later mount is the visible one
    ],
)
def test_mountinfo_gives_the_type_of_the_deepest_mount_containing_the_path(path, expected):
    assert file_system_type(path, MOUNTINFO) == expected


def test_proc_mounts_format_gives_the_same_answers():
    assert file_system_type("/home/me", PROC_MOUNTS, proc_mounts) == "ext4"
    assert file_system_type("/mnt/nfs/traces", PROC_MOUNTS, proc_mounts) == "nfs4"
    assert file_system_type("/mnt/nfs/local/x", PROC_MOUNTS, proc_mounts) == "ext4"
    assert file_system_type("/mnt/my share/t", PROC_MOUNTS, proc_mounts) == "cifs"
    assert file_system_type("/mnt/nfsx", PROC_MOUNTS, proc_mounts) == "ext4"


def test_lines_that_are_not_mounts_are_skipped():
    assert file_system_type("/x", "garbage\n\n" + MOUNTINFO.splitlines()[1] + "\n1 2 3 - \n") == "ext4"
    assert file_system_type("/x", "") is None


def test_network_file_systems():
    assert all(is_network_file_system(kind) for kind in ("nfs", "nfs4", "cifs", "fuse.sshfs", "9p", "ceph"))
    assert not any(is_network_file_system(kind) for kind in ("ext4", "xfs", "btrfs", "tmpfs", "overlay", None))


def mount_tables(monkeypatch, tmp_path, mountinfo: str | None, mounts: str | None) -> None:
    """Point the detector at mount tables written here (None: that table cannot be read)."""
    tables = []
    for name, text, reader in (("mountinfo", mountinfo, filesystem.mountinfo_mounts), ("mounts", mounts, proc_mounts)):
        table = tmp_path / "proc" / name
        if text is not None:
            table.parent.mkdir(exist_ok=True)
            table.write_text(text)
        tables.append((table, reader))
    monkeypatch.setattr(filesystem, "MOUNT_TABLES", tuple(tables))


def test_detection_reads_mountinfo_for_the_real_path_of_the_nearest_existing_folder(tmp_path, monkeypatch):
    share = tmp_path.resolve()
    mount_tables(monkeypatch, tmp_path, f"1 0 8:1 / / rw - ext4 /dev/sda1 rw\n2 1 0:9 / {share} rw - nfs4 s:/e rw\n",
                 mounts=None)  # fmt: skip
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert detect_file_system_type(tmp_path / "link" / "not" / "yet" / "state.db") == "nfs4"
    assert detect_file_system_type(Path("/elsewhere")) == "ext4"


def test_detection_falls_back_to_proc_mounts_then_to_unknown(tmp_path, monkeypatch):
    mount_tables(monkeypatch, tmp_path, mountinfo=None, mounts=f"s:/e {tmp_path.resolve()} nfs rw 0 0\n")
    assert detect_file_system_type(tmp_path / "ws") == "nfs"
    mount_tables(monkeypatch, tmp_path / "none", mountinfo=None, mounts=None)  # e.g. macOS: no /proc
    assert detect_file_system_type(tmp_path / "ws") is None
    assert not is_network_file_system(detect_file_system_type(tmp_path / "ws"))


def test_detection_on_this_machine_names_a_type_for_the_root():
    if not Path("/proc/self/mountinfo").exists():
        pytest.skip("no /proc mount table here")
    assert detect_file_system_type("/")
