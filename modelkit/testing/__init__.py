"""Hypothesis strategies and properties to run against your own schemas (needs
``hypothesis`` installed): ``entities(design, name)`` draws instances,
``assert_keys_safe(design)`` runs modelkit's key properties, and ``run_cache_machine``
checks the repositories and their Redis cache against your deployment."""

from modelkit.testing._machine import StaleRead
from modelkit.testing.cache_machine import CacheMachineReport, run_cache_machine
from modelkit.testing.entities import entities
from modelkit.testing.properties import assert_keys_safe
from modelkit.testing.strategies import (
    TRICKY_TEXTS,
    adversarial_text,
    aware_datetimes,
    codec_values,
    dynamo_decimals,
    key_field_values,
    key_values,
)

StaleRead.__module__ = __name__  # shown as modelkit.testing.StaleRead in tracebacks

__all__ = [
    "TRICKY_TEXTS",
    "CacheMachineReport",
    "StaleRead",
    "adversarial_text",
    "assert_keys_safe",
    "aware_datetimes",
    "codec_values",
    "dynamo_decimals",
    "entities",
    "key_field_values",
    "key_values",
    "run_cache_machine",
]
