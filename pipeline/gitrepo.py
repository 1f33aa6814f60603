"""The git binary, run safely: status, ahead/behind, conflicts, blobs, log.

A pipeline folder may be anyone's clone, so git runs with a fixed environment: no hooks
from the folder (``core.hooksPath=/dev/null``), no fsmonitor, no pager, no prompts for
credentials, never through a shell, with a timeout. Paths are read with ``-z`` so no name
is ever unquoted or split wrongly; whatever git prints is untrusted text (callers pass it
through `pipeline.problems.printable` before it reaches a terminal).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

SAFE_CONFIG = (
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "core.pager=cat",
    "core.quotePath=false",
    "color.ui=false",
    "advice.detachedHead=false",
)
_DROPPED_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE")
TIMEOUT = 300.0  # seconds; a fetch over a slow link may take a while, a hung one must not hang us
MAX_OUTPUT = 256 << 20  # bytes read from one git call, bounding memory on a hostile repository


class GitError(Exception):
    """A git command failed; the message is git's stderr (untrusted text)."""

    def __init__(self, args: Sequence[str], code: int, stderr: str) -> None:
        super().__init__(stderr.strip() or f"git {args[0] if args else ''} exited with {code}")
        self.code = code
        self.stderr = stderr


def git_binary() -> str | None:
    return shutil.which("git")


def safe_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_PAGER="cat",
        PAGER="cat",
        GIT_EDITOR=":",
        GIT_ASKPASS="",
        SSH_ASKPASS="",
        GIT_MERGE_AUTOEDIT="no",
        LC_ALL="C",
        LANGUAGE="C",
    )
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    return env


@dataclass(frozen=True, slots=True)
class StatusEntry:
    code: str  # the two porcelain letters: "M ", " M", "??", "UU", "D " …
    path: str  # relative to the repository's top level, "/" separated
    orig: str | None = None  # the old name of a rename

    @property
    def unmerged(self) -> bool:
        return self.code in ("DD", "AU", "UD", "UA", "DU", "AA", "UU")


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    author: str
    email: str
    when: str  # ISO 8601 with the author's offset
    subject: str


@dataclass(frozen=True, slots=True)
class Unmerged:
    """One conflicted path's index stages: blob ids of base (1), ours (2), theirs (3)."""

    path: str
    base: str | None
    ours: str | None
    theirs: str | None


class Repo:
    """A git working tree, addressed through the pipeline folder inside it."""

    def __init__(self, folder: Path, *, extra_config: Iterable[str] = ()) -> None:
        git = git_binary()
        if git is None:
            raise GitError(["git"], 127, "git is not installed")
        self.git = git
        self.folder = folder
        self.config = (*SAFE_CONFIG, *extra_config)
        self.env = safe_env()
        self.cwd = folder
        out = self.text("rev-parse", "--show-toplevel", "--absolute-git-dir", "--show-prefix") + "\n"
        top, git_dir, prefix = out.split("\n")[:3]
        self.top, self.git_dir = Path(top), Path(git_dir)
        self.prefix = prefix  # "" or "sub/dir/"
        self.scope = self.prefix or "."  # the pathspec of the pipeline folder
        self.cwd = self.top  # from here on every path git prints is top-level relative

    # -- running ------------------------------------------------------------------------

    def run(
        self, *args: str, check: bool = True, input: bytes | None = None, timeout: float = TIMEOUT
    ) -> subprocess.CompletedProcess[bytes]:
        cmd = [self.git]
        for item in self.config:
            cmd += ["-c", item]
        cmd += list(args)
        try:
            done = subprocess.run(
                cmd,
                cwd=self.cwd,
                env=self.env,
                input=input,
                capture_output=True,
                timeout=timeout,
                check=False,
                stdin=None if input is not None else subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired as exc:
            raise GitError(args, 124, f"git {args[0]} took over {timeout:.0f} s; stopped") from exc
        if len(done.stdout) > MAX_OUTPUT:
            raise GitError(args, 1, f"git {args[0]} printed over {MAX_OUTPUT >> 20} MB; refused")
        if check and done.returncode:
            raise GitError(args, done.returncode, done.stderr.decode("utf-8", "replace"))
        return done

    def text(self, *args: str, check: bool = True) -> str:
        return self.run(*args, check=check).stdout.decode("utf-8", "replace")

    def ok(self, *args: str) -> bool:
        return self.run(*args, check=False).returncode == 0

    # -- paths --------------------------------------------------------------------------

    def rel(self, path: Path) -> str:
        """A path under the folder as git names it: relative to the top level."""
        return self.prefix + path.resolve().relative_to(self.folder.resolve()).as_posix()

    def local(self, git_path: str) -> Path:
        """A git path (top-level relative) as a path under the folder."""
        return self.top / git_path

    # -- state --------------------------------------------------------------------------

    def branch(self) -> str | None:
        done = self.run("symbolic-ref", "-q", "--short", "HEAD", check=False)
        return done.stdout.decode("utf-8", "replace").strip() or None if done.returncode == 0 else None

    def head(self) -> str | None:
        done = self.run("rev-parse", "-q", "--verify", "HEAD^{commit}", check=False)
        return done.stdout.decode().strip() or None if done.returncode == 0 else None

    def status(self, *pathspec: str) -> list[StatusEntry]:
        """``git status --porcelain -z`` of the folder (untracked files listed one by one)."""
        raw = self.run(
            "--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *pathspec
        ).stdout
        parts = raw.split(b"\0")
        out: list[StatusEntry] = []
        i = 0
        while i < len(parts):
            item = parts[i]
            i += 1
            if len(item) < 4:
                continue
            code, path = item[:2].decode("ascii", "replace"), item[3:].decode("utf-8", "replace")
            orig = None
            if code[0] in "RC":
                orig = parts[i].decode("utf-8", "replace")
                i += 1
            out.append(StatusEntry(code, path, orig))
        return out

    def merging(self) -> bool:
        """Is a merge waiting to be committed (MERGE_HEAD in the git folder)?"""
        return (self.git_dir / "MERGE_HEAD").is_file()

    def rebasing(self) -> bool:
        """Is a rebase stopped half way (a conflict to settle, then ``rebase --continue``)?"""
        return any((self.git_dir / d).is_dir() for d in ("rebase-merge", "rebase-apply"))

    def setting(self, key: str, *, boolean: bool = False) -> str | None:
        """``git config --get key`` (as ``true``/``false`` with ``boolean``); None when unset
        or not a boolean."""
        kind = ("--type=bool",) if boolean else ()
        done = self.run("config", *kind, "--get", key, check=False)
        return done.stdout.decode("utf-8", "replace").strip() or None if done.returncode == 0 else None

    def unmerged(self, *pathspec: str) -> list[Unmerged]:
        """Conflicted paths and their index stages (``git ls-files -u``)."""
        raw = self.run("ls-files", "-u", "-z", "--", *pathspec).stdout
        stages: dict[str, dict[int, str]] = {}
        for item in raw.split(b"\0"):
            if not item:
                continue
            meta, _, name = item.partition(b"\t")
            _, sha, stage = meta.decode("ascii", "replace").split(" ")
            stages.setdefault(name.decode("utf-8", "replace"), {})[int(stage)] = sha
        return [Unmerged(p, s.get(1), s.get(2), s.get(3)) for p, s in sorted(stages.items())]

    def blob(self, sha: str) -> bytes:
        return self.run("cat-file", "blob", sha).stdout

    def show(self, rev: str, git_path: str) -> bytes | None:
        """A file as it is in ``rev`` (None if it is not there)."""
        done = self.run("cat-file", "blob", f"{rev}:{git_path}", check=False)
        return done.stdout if done.returncode == 0 else None

    def blobs(self, specs: Sequence[str]) -> list[bytes | None]:
        """Many ``rev:path`` objects in one ``git cat-file --batch`` call (None when missing;
        a name with a newline, which the batch protocol cannot carry, is missing too)."""
        asked = [s for s in specs if "\n" not in s]
        out = self.run("cat-file", "--batch", input=_batch_input(asked)).stdout if asked else b""
        return _batch_output(out, asked, specs)

    def blob_reader(self) -> BlobReader:
        """A ``git cat-file --batch`` started now, for one `BlobReader.blobs` call later: its
        start-up overlaps the git call that says which blobs to read."""
        return BlobReader(self)

    def remotes(self) -> list[str]:
        return [r for r in self.text("remote").split("\n") if r]

    def upstream(self) -> tuple[str, str] | None:
        """(remote, branch) this branch syncs with: its upstream, else origin/<same name>."""
        branch = self.branch()
        if branch is None:
            return None
        fmt = "--format=%(upstream:remotename)%00%(upstream:remoteref)"
        remote, _, merge = self.text("for-each-ref", fmt, f"refs/heads/{branch}").strip().partition("\0")
        if remote and merge.startswith("refs/heads/"):
            return remote, merge.removeprefix("refs/heads/")
        remotes = self.remotes()
        if not remotes:
            return None
        return ("origin" if "origin" in remotes else remotes[0]), branch

    def ahead_behind(self, other: str) -> tuple[int, int] | None:
        """Commits HEAD has that ``other`` lacks, and the reverse; None if either is missing."""
        done = self.run("rev-list", "--left-right", "--count", f"HEAD...{other}", "--", check=False)
        if done.returncode:
            return None
        ahead, behind = done.stdout.decode().split()
        return int(ahead), int(behind)

    def commits(self, rev_range: str, *pathspec: str) -> list[tuple[Commit, list[str]]]:
        """Commits in ``rev_range`` (no merges) with the paths each changed."""
        raw = self.run(
            "log",
            "--no-merges",
            "-z",
            "--name-only",
            "--format=%x1e%H%x1f%an%x1f%ae%x1f%aI%x1f%s",
            rev_range,
            "--",
            *pathspec,
        ).stdout.decode("utf-8", "replace")
        out: list[tuple[Commit, list[str]]] = []
        for record in raw.split("\x1e")[1:]:
            head, _, names = record.partition("\n")
            sha, author, email, when, subject = head.split("\x1f")
            paths = [n.strip("\n") for n in names.split("\0") if n.strip("\n")]
            out.append((Commit(sha, author, email, when, subject), paths))
        return out


def _batch_input(asked: Sequence[str]) -> bytes:
    return "".join(s + "\n" for s in asked).encode()


def _batch_output(out: bytes, asked: Sequence[str], specs: Sequence[str]) -> list[bytes | None]:
    found: dict[str, bytes | None] = {}
    pos = 0
    for spec in asked:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        pos = end + 1
        if header[-1] == b"missing" or len(header) != 3 or header[1] != b"blob":
            found[spec] = None
            continue
        size = int(header[2])
        found[spec] = out[pos : pos + size]
        pos += size + 1
    return [found.get(s) for s in specs]


class BlobReader:
    """`Repo.blobs` from a process started ahead of time; a context manager (the process is
    stopped on exit if it was never asked)."""

    def __init__(self, repo: Repo) -> None:
        cmd = [repo.git]
        for item in repo.config:
            cmd += ["-c", item]
        self.proc = subprocess.Popen(
            [*cmd, "cat-file", "--batch"],
            cwd=repo.cwd,
            env=repo.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def blobs(self, specs: Sequence[str]) -> list[bytes | None]:
        asked = [s for s in specs if "\n" not in s]
        try:
            out, err = self.proc.communicate(_batch_input(asked), timeout=TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            self.close()
            raise GitError(["cat-file"], 124, f"git cat-file took over {TIMEOUT:.0f} s; stopped") from exc
        if len(out) > MAX_OUTPUT:
            raise GitError(["cat-file"], 1, f"git cat-file printed over {MAX_OUTPUT >> 20} MB; refused")
        if self.proc.returncode:
            raise GitError(["cat-file"], self.proc.returncode, err.decode("utf-8", "replace"))
        return _batch_output(out, asked, specs)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def is_repo(folder: Path) -> bool:
    return says_true(folder, "rev-parse", "--is-inside-work-tree")


def says_true(folder: Path, *args: str) -> bool:
    """Does git, run in ``folder`` (no Repo needed: it may not be one), answer ``true``?
    False without git, outside a repository, or on any error."""
    git = git_binary()
    if git is None:
        return False
    done = subprocess.run(
        [git, "-c", "core.hooksPath=/dev/null", *args],
        cwd=folder,
        env=safe_env(),
        capture_output=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return done.returncode == 0 and done.stdout.strip() == b"true"


@dataclass(frozen=True, slots=True)
class LocalState:
    """What the board's status bar shows. No network: ahead/behind count against the last fetch."""

    branch: str
    dirty: int  # changed files under the folder (a rename is one)
    ahead: int
    behind: int
    conflicted: tuple[str, ...]  # git paths with unmerged index entries
    merging: bool
    rebasing: bool = False


def local_state(folder: Path) -> LocalState | None:
    """The folder's git state, or None outside a repository (or without git)."""
    try:
        repo = Repo(folder)
        branch = repo.branch()
        changes = repo.status(repo.scope)
        upstream = repo.upstream()
        counts = repo.ahead_behind(f"refs/remotes/{upstream[0]}/{upstream[1]}") if upstream else None
    except (GitError, OSError):
        return None
    ahead, behind = counts or (0, 0)
    conflicted = tuple(e.path for e in changes if e.unmerged)
    return LocalState(
        branch or "HEAD", len(changes), ahead, behind, conflicted, repo.merging(), repo.rebasing()
    )
