"""Tests of the build lock and of the clean-up of a killed build's temporary files."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from etl.__main__ import main
from etl.errors import EtlError
from etl.pipeline import BuildContext, BuildLockedError, Output, Stage, run_pipeline
from geodata.io import LayerManifest, load_layer

LOCK = ".etl-build.lock"


def _population(ctx: BuildContext) -> list[Output]:
    counts = pd.read_csv(ctx.raw("counts.csv"), dtype={"nis": str})
    manifest = LayerManifest("population", "t", "hand-made test source", "", "CC0", "2024", "t")
    return [Output(manifest, counts)]


STAGE = Stage("population", ("counts.csv",), (), ("population",), _population)


@pytest.fixture
def ctx(tmp_path: Path) -> BuildContext:
    src = tmp_path / "raw"
    src.mkdir()
    (src / "counts.csv").write_text("nis,population_2020\n24062,101032\n24038,12000\n")
    return BuildContext(source_dir=src, out_dir=tmp_path / "out")


@pytest.fixture
def held_lock(ctx: BuildContext) -> Iterator[Path]:
    """The output folder's lock, held as another build would hold it."""
    ctx.out_dir.mkdir()
    lock = ctx.out_dir / LOCK
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    yield lock
    os.close(fd)


def _leftover(folder: Path, target: str) -> Path:
    """A temporary file named as geodata.io.atomic_path names it, left by a killed build."""
    fd, name = tempfile.mkstemp(prefix=f".{target}.", suffix=".tmp", dir=folder)
    os.write(fd, b"half a parquet")
    os.close(fd)
    return Path(name)


def test_leftover_temporary_files_are_removed(ctx: BuildContext) -> None:
    (ctx.out_dir / "graphs").mkdir(parents=True)
    stale = [
        _leftover(ctx.out_dir, "schools.parquet"),
        _leftover(ctx.out_dir, "schools.manifest.json"),
        _leftover(ctx.out_dir / "graphs", "walk.npz"),
    ]
    # not atomic_path's names, or not where a build writes: left alone
    others = [
        ctx.out_dir / "notes.tmp",
        ctx.out_dir / ".schools.parquet.tmp",
        ctx.out_dir / ".schools.parquet.ABCDEFGH.tmp",
        ctx.out_dir / ".schools.parquet.abc.tmp",
        ctx.out_dir / "README.md",
    ]
    for path in others:
        path.write_text("keep me")
    elsewhere = ctx.source_dir / "counts.csv"
    link = ctx.out_dir / ".population.parquet.abcd1234.tmp"
    link.symlink_to(elsewhere)
    (ctx.out_dir / "sub").mkdir()
    nested = _leftover(ctx.out_dir / "sub", "walk.npz")
    folder = ctx.out_dir / ".wijken.parquet.abcd1234.tmp"
    folder.mkdir()

    (result,) = run_pipeline([STAGE], ctx)
    assert result.status == "built"
    assert [p for p in stale if p.exists()] == []
    assert all(p.exists() for p in [*others, nested, folder])
    assert link.is_symlink() and elsewhere.exists()


def test_leftover_files_are_removed_even_when_nothing_is_rebuilt(ctx: BuildContext) -> None:
    run_pipeline([STAGE], ctx)
    stale = _leftover(ctx.out_dir, "population.parquet")
    assert [r.status for r in run_pipeline([STAGE], ctx)] == ["unchanged"]
    assert not stale.exists()


def test_build_refuses_a_folder_another_build_holds(ctx: BuildContext, held_lock: Path) -> None:
    theirs = _leftover(ctx.out_dir, "population.parquet")
    with pytest.raises(BuildLockedError) as caught:
        run_pipeline([STAGE], ctx)
    assert isinstance(caught.value, EtlError)  # the CLI turns it into one line
    assert caught.value.lock == held_lock
    assert f"another build is writing into {ctx.out_dir}" in str(caught.value)
    assert theirs.exists()  # the other build's file in progress
    assert not (ctx.out_dir / "population.parquet").exists()


def test_cli_says_the_folder_is_busy(
    ctx: BuildContext, held_lock: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["build", "--source-dir", str(ctx.source_dir), "--out", str(ctx.out_dir)])
    assert code == 1
    err = capsys.readouterr().err
    assert f"another build is writing into {ctx.out_dir}" in err
    assert "Traceback" not in err


def test_lock_is_released_and_removed_after_a_build(ctx: BuildContext) -> None:
    run_pipeline([STAGE], ctx)
    assert not (ctx.out_dir / LOCK).exists()
    # a build that crashes in its progress callback also lets go of the folder
    with pytest.raises(RuntimeError, match="printer"):
        run_pipeline([STAGE], ctx, force=True, progress=_broken_printer)
    assert not (ctx.out_dir / LOCK).exists()
    assert [r.status for r in run_pipeline([STAGE], ctx)] == ["unchanged"]
    assert list(load_layer("population", ctx.out_dir)["nis"]) == ["24062", "24038"]


def test_lock_is_held_while_the_stages_run(ctx: BuildContext) -> None:
    seen: list[str] = []

    def nested(inner: BuildContext) -> list[Output]:
        seen.append((inner.out_dir / LOCK).read_text())
        run_pipeline([STAGE], inner)  # a second build into the same folder
        return _population(inner)

    (result,) = run_pipeline(
        [Stage("population", ("counts.csv",), (), ("population",), nested)], ctx
    )
    assert seen == [f"{os.getpid()}\n"]
    assert result.status == "failed"
    assert f"another build is writing into {ctx.out_dir}" in result.message


def test_lock_left_by_a_killed_build_does_not_block(ctx: BuildContext) -> None:
    ctx.out_dir.mkdir()
    (ctx.out_dir / LOCK).write_text("12345\n")  # file on disk, nobody holds it
    assert [r.status for r in run_pipeline([STAGE], ctx)] == ["built"]


def _broken_printer(_: object) -> None:
    raise RuntimeError("printer on fire")
