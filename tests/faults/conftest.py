import pytest

from tests.faults.served import prepared_template


@pytest.fixture(scope="session")
def fault_template():
    """The prepared database every fault test copies (migrating costs far more than copying)."""
    with prepared_template() as template:
        yield template
