"""A host root that lists far more entries than any board has (20,000 thermal zones, as a
hostile or broken kernel module could): the probes read a bounded number, say how many they
skipped, and neither `edge-agent hw` nor `/metrics` becomes slow."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import AGENT_BIN, HOST_ROOT, REPO, StandaloneAgent, clean_env, metric, parse_metrics

ZONES = 20_000
MAX_ZONES = 256


@pytest.fixture(scope="module")
def many_zones():
    """Tests/Fixtures/rpi4 (relative symlinks kept) plus thermal_zone1..20000, each laid out as
    thermal_zone0 is: a directory under sys/devices/virtual/thermal with `temp` and `type`
    (hard links to one file each), and a relative link to it in sys/class/thermal. On a
    tmpfs when it can be mounted (80,000 inodes take half a minute on this machine's ext4)."""
    root = Path(tempfile.mkdtemp(prefix="edge-attack-zones."))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64M", "tmpfs", str(root)],
                             capture_output=True).returncode == 0
    try:
        host = root / "host"
        shutil.copytree(HOST_ROOT, host, symlinks=True)
        devices = host / "sys/devices/virtual/thermal"
        links = host / "sys/class/thermal"
        temp, kind = root / "temp", root / "type"
        temp.write_text("41000\n")
        kind.write_text("extra-thermal\n")
        for i in range(1, ZONES + 1):
            zone = devices / f"thermal_zone{i}"
            zone.mkdir()
            os.link(temp, zone / "temp")
            os.link(kind, zone / "type")
            os.symlink(f"../../devices/virtual/thermal/thermal_zone{i}", links / f"thermal_zone{i}")
        yield host
    finally:
        if mounted and subprocess.run(["umount", str(root)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(root)], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def test_hw_on_20000_thermal_zones_finishes_within_3_s_and_reports_at_most_256(many_zones):
    started = time.monotonic()
    try:
        r = subprocess.run([str(AGENT_BIN), "hw", "--host-root", str(many_zones), "--format", "json",
                            "--node-name", "zones"], capture_output=True, text=True, timeout=30, env=clean_env(),
                           cwd=str(REPO))
    except subprocess.TimeoutExpired:
        pytest.fail("edge-agent hw on 20,000 thermal zones did not finish within 30 s")
    elapsed = time.monotonic() - started
    assert r.returncode == 0, f"edge-agent hw exited {r.returncode}: {r.stderr[-1000:]}"
    reading = json.loads(r.stdout)
    zones = reading.get("temperatures") or []
    # At most 256; possibly fewer (a probe may also stop at a time budget on a loaded machine).
    assert len(zones) <= MAX_ZONES, f"edge-agent hw reported {len(zones)} thermal zones (at most {MAX_ZONES})"
    assert elapsed <= 3.0, f"edge-agent hw took {elapsed:.1f} s on 20,000 thermal zones"


def test_metrics_on_20000_thermal_zones_answer_within_3_s_and_count_skipped_entries(h, many_zones):
    agent = StandaloneAgent(h, "zones", host_root=many_zones).start()
    deadline = time.monotonic() + 10  # a few sampling rounds
    while True:
        started = time.monotonic()
        try:
            r = agent.api("GET", "/metrics", timeout=10)
        except OSError as e:
            pytest.fail(f"/metrics did not answer within 10 s: {e!r}")
        elapsed = time.monotonic() - started
        assert r.status == 200, r
        assert elapsed <= 3.0, f"/metrics took {elapsed:.1f} s on 20,000 thermal zones"
        m = parse_metrics(r.body.decode())
        skipped = metric(m, "edge_probe_entries_skipped", collector="thermal_zone")
        if skipped or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert skipped is not None and skipped > 0, \
        f'edge_probe_entries_skipped{{collector="thermal_zone"}} is {skipped}'
    zones = [k for k in m if k.startswith("node_thermal_zone_temp{")]
    assert len(zones) <= MAX_ZONES, f"/metrics exposes {len(zones)} thermal zones (at most {MAX_ZONES})"
    assert agent.alive()
