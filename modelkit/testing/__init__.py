"""Hypothesis strategies to run against your own schemas (needs ``hypothesis`` installed)."""

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
    "aware_datetimes",
    "codec_values",
    "dynamo_decimals",
    "key_field_values",
    "key_values",
]
