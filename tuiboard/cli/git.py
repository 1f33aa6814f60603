"""Git integration: `merge-file`, the merge driver for customer files, and `git-setup`."""

from __future__ import annotations

import errno
import os
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import click

from pipeline.errors import WriteError
from pipeline.lines import toml_lines
from pipeline.safefs import UnsafePath, append_text

from ..textout import safe
from .util import fail, root_from

DRIVER = "tuiboard"
ATTRIBUTES = f"customers/*.toml merge={DRIVER}"
ATTRIBUTES_LIMIT = 1 << 20  # bytes of an existing .gitattributes read to look for the line


def driver_command() -> str:
    """This interpreter's absolute path with -m: works from any cwd and without PATH.

    -I (isolated) keeps the repository's working tree off sys.path, so a `tuiboard/`
    folder in a pulled repository can never stand in for the real package.
    """
    prefix = f"{shlex.quote(sys.executable)} -I -m tuiboard" if sys.executable else "tuiboard"
    return f"{prefix} merge-file %O %A %B"


def write_gitattributes(folder: Path) -> bool:
    """Add the merge attribute to the folder's .gitattributes; False if it was there.

    The file may come with a clone: a link (to ``~/.bashrc``, say) or anything but a
    regular file is refused (`UnsafePath`), never written through.
    """
    path = folder / ".gitattributes"
    text = _read_attributes(path)
    if ATTRIBUTES in toml_lines(text):
        return False
    append_text(path, ("" if not text or text.endswith("\n") else "\n") + ATTRIBUTES + "\n")
    return True


def _read_attributes(path: Path) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        if os.path.islink(path):
            raise UnsafePath(
                errno.ELOOP, "is a symbolic link; refusing to write through it", str(path)
            ) from exc
        raise
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise UnsafePath(0, "is not a regular file; refusing to write to it", str(path))
        data = fh.read(ATTRIBUTES_LIMIT + 1)
    if len(data) > ATTRIBUTES_LIMIT:
        raise UnsafePath(0, f"is over {ATTRIBUTES_LIMIT} bytes; add `{ATTRIBUTES}` by hand", str(path))
    return data.decode("utf-8", errors="replace")


def in_git_repo(folder: Path) -> bool:
    git = shutil.which("git")
    if git is None:
        return False
    done = subprocess.run(
        [git, "rev-parse", "--is-inside-work-tree"], cwd=folder, capture_output=True, text=True
    )
    return done.returncode == 0 and done.stdout.strip() == "true"


def configure_git(folder: Path) -> None:
    """The local git config that defines the driver (git never takes it from a clone)."""
    git = shutil.which("git") or "git"
    for key, value in (
        (f"merge.{DRIVER}.name", "tuiboard: field-level merge of customer files"),
        (f"merge.{DRIVER}.driver", driver_command()),
    ):
        done = subprocess.run(
            [git, "config", "--local", key, value], cwd=folder, capture_output=True, text=True
        )
        if done.returncode:
            fail(f"git config {key} failed: {safe(done.stderr.strip())}")


def setup_git(folder: Path) -> str:
    """Write .gitattributes; set the git config too when the folder is in a git repository."""
    try:
        write_gitattributes(folder)
    except OSError as exc:
        fail(f"{safe(exc.filename)}: {exc.strerror or exc}")
    if not in_git_repo(folder):
        return "wrote .gitattributes; run `tuiboard git-setup` once this folder is in a git repository"
    configure_git(folder)
    return "team merges: .gitattributes and the local git merge driver are set up"


@click.command("git-setup")
@click.pass_context
def git_setup(ctx: click.Context) -> None:
    """Enable field-level merges of customer files in this folder's git repository."""
    root = root_from(ctx)
    if shutil.which("git") is None:
        fail("git is not installed")
    if not in_git_repo(root):
        fail(f"{safe(root)} is not in a git repository (run `git init` first)")
    click.echo(setup_git(root))


@click.command("merge-file")
@click.argument("base", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("ours", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("theirs", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def merge_file(base: Path, ours: Path, theirs: Path) -> None:
    """Merge THEIRS into OURS field by field; exit 1 if conflicts were marked.

    A git merge driver: git runs `tuiboard merge-file %O %A %B` and takes OURS as the result.
    """
    from pipeline.atomic import atomic_write
    from pipeline.merge import merge_customer  # tomlkit's tree merge: only git's driver needs it

    result = merge_customer(base.read_bytes(), ours.read_bytes(), theirs.read_bytes())
    try:
        atomic_write(ours, result.data)
    except WriteError as exc:
        fail(safe(exc))
    for conflict in result.conflicts:
        click.echo(f"tuiboard merge-file: conflict: {safe(conflict)}", err=True)
    sys.exit(0 if result.clean else 1)
