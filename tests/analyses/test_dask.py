"""Scenario sweeps on a real 2-process Dask LocalCluster (on 127.0.0.1) give the in-process numbers."""

from __future__ import annotations

import time

import pandas as pd
import pytest

import pmsim as pm

distributed = pytest.importorskip("dask.distributed", reason="the [distributed] extra is not installed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0")
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def project():
    return pm.read_project(pm.data_path("security_remediation"))


def test_sweep_on_the_cluster_equals_in_process(client, project):
    grid = {"multiplier": [0.9, 1.0, 1.2], "risk:" + project.risks[0].id: [True, False]}
    local = pm.sweep(project, grid, iterations=2000, seed=11)
    remote = pm.sweep(project, grid, iterations=2000, seed=11, client=client)
    pd.testing.assert_frame_equal(local, remote, check_exact=True)


def test_compare_on_the_cluster_equals_in_process(client, project):
    scenarios = [pm.Scenario("plan"), pm.Scenario("more devs", capacities={"dev": 5}, levelled=True)]
    local = pm.compare(project, scenarios, iterations=2000, seed=4)
    remote = pm.compare(project, scenarios, iterations=2000, seed=4, client=client)
    pd.testing.assert_frame_equal(local, remote, check_exact=True)


def test_a_closed_client_fails_fast_with_a_clear_message(client, project):
    c = distributed.Client(client.scheduler.address)
    c.close()
    started = time.monotonic()
    with pytest.raises(pm.PmsimError, match="the Dask client is not running"):
        pm.sweep(project, {"multiplier": [1.0]}, iterations=100, seed=1, client=c)
    assert time.monotonic() - started < 5


def test_a_portfolio_split_into_iteration_ranges_on_the_cluster_equals_in_process(client):
    a = pm.read_project(pm.data_path("security_remediation"))
    b = pm.read_project(pm.data_path("ecommerce_launch"))
    pf = pm.Portfolio([a, b], pools={"pm": 1})
    local = pf.simulate(iterations=3000, seed=8)
    remote = pf.simulate(iterations=3000, seed=8, client=client)
    assert (local.finish == remote.finish).all() and (local.cost == remote.cost).all()
    pd.testing.assert_frame_equal(local.project_finish, remote.project_finish, check_exact=True)
    pd.testing.assert_series_equal(local.simulation.criticality, remote.simulation.criticality, check_exact=True)
    pd.testing.assert_frame_equal(local.summary(), remote.summary())


def test_a_client_whose_scheduler_went_away_fails_fast(project):
    cluster = distributed.LocalCluster(n_workers=1, processes=True, threads_per_worker=1,
                                       host="127.0.0.1", dashboard_address="127.0.0.1:0")
    c = distributed.Client(cluster)
    cluster.close()  # the scheduler is gone; the client object is still in the user's hands
    started = time.monotonic()
    with pytest.raises(pm.PmsimError, match="the Dask client is not running|does not answer"):
        pm.compare(project, [pm.Scenario("plan")], iterations=100, seed=1, client=c)
    assert time.monotonic() - started < 30
    c.close()
