"""The accessibility batch on a real local Dask cluster equals the serial batch."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.engine import accessibility as acc
from dashboard.engine import accessibility_train as acct
from dashboard.engine.__main__ import main
from dashboard.engine.batch_dask import SCHEDULER_ENV, batch_on_dask, scheduler_address
from dashboard.engine.core import CommuteEngine
from geodata.catalog import default_data_dir


def test_local_cluster_gives_the_serial_table() -> None:
    modes, names = ["walk", "car", "train_bike"], ["stations", "international_schools"]
    engine = CommuteEngine()
    layers = {k: v for k, v in acc.facility_points().items() if k in names}
    serial = acct.region_batch(engine, acc.neighbourhood_points(), layers, modes)
    assert set(serial["mode"]) == set(modes)
    # 2 worker processes, 3 blocks of neighbourhoods per mode: blocks are reassembled
    on_dask = batch_on_dask(default_data_dir(), modes, names, n_workers=2, chunks=3)
    pd.testing.assert_frame_equal(serial, on_dask)


def test_scheduler_comes_from_the_argument_then_the_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SCHEDULER_ENV, raising=False)
    assert scheduler_address() is None
    monkeypatch.setenv(SCHEDULER_ENV, "tcp://10.0.0.5:8786")
    assert scheduler_address() == "tcp://10.0.0.5:8786"
    assert scheduler_address("tcp://127.0.0.1:9999") == "tcp://127.0.0.1:9999"


def test_cli_refuses_dask_with_a_selection_of_neighbourhoods(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["accessibility", "--dask", "--codes", "2406210"]) == 2
    assert "--dask runs every neighbourhood" in capsys.readouterr().err
