"""Hypothesis strategies and properties to run against your own schemas (needs
``hypothesis`` installed): ``assert_keys_safe(design)`` runs modelkit's key properties."""

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

__all__ = [
    "TRICKY_TEXTS",
    "adversarial_text",
    "assert_keys_safe",
    "aware_datetimes",
    "codec_values",
    "dynamo_decimals",
    "entities",
    "key_field_values",
    "key_values",
]
