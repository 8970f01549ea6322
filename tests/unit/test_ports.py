"""The bound port every area's rules reach their repository through (chalicelib/domain/ports.py)."""

from __future__ import annotations

import pytest

from chalicelib.domain.ports import Port


def test_an_unbound_port_says_how_to_bind_it():
    with pytest.raises(RuntimeError, match="wiring.install"):
        Port[object]("nothing")()


def test_the_adapter_is_built_once_on_first_use():
    built: list[object] = []
    port: Port[object] = Port("x")
    port.bind(lambda: built.append(object()) or built[-1])
    assert built == []
    first = port()
    assert port() is first and len(built) == 1


def test_an_override_answers_inside_the_block_only():
    port: Port[str] = Port("x")
    port.bind(lambda: "dynamodb")
    with port.override("memory") as fake:
        assert port() == fake == "memory"
    assert port() == "dynamodb"
