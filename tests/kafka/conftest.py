"""Fixtures for the Kafka tests (helpers are in kafkaharness.py).

* broker_jar       - the built broker jar (the Maven build makes it beside the kernel's)
* external_broker  - the broker jar run directly on a free port, as an operator runs a Kafka;
                     the tests name it in KAFKA_BOOTSTRAP_SERVERS
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kafkaharness import BROKER_JAR, BROKER_READY_TIMEOUT, ExternalBroker, find_free_port_pair
from labharness import pid_alive


@pytest.fixture(scope="session")
def broker_jar() -> Path:
    if not BROKER_JAR.is_file():
        pytest.fail(
            f"broker jar not found: {BROKER_JAR}\n"
            "Build it with `mvn -B -q package -DskipTests` in the repository root (it builds the kernel too).",
            pytrace=False,
        )
    return BROKER_JAR


@pytest.fixture(scope="module")
def external_broker(broker_jar, tmp_path_factory, log_dir):
    data_dir = tmp_path_factory.mktemp("external-kafka")
    broker = ExternalBroker(broker_jar, data_dir, find_free_port_pair(39092), log_dir / "external-broker.log")
    try:
        broker.wait_ready(BROKER_READY_TIMEOUT)
        yield broker
    finally:
        broker.stop()
        assert not pid_alive(broker.proc.pid)
