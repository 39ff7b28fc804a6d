"""Key templates: order-preserving encodings, formatting, parsing and partial-key bounds."""

from modelkit.keys._codecs import (
    AFTER_DELIMITER,
    DELIMITER,
    ESCAPE,
    KeyCodec,
    KeyCodecError,
    escape_str,
    unescape_str,
)
from modelkit.keys._conditions import SORT_OPS, KeyCondition, SortOp, sort_condition
from modelkit.keys._template import (
    MAX_KEY_BYTES,
    KeyFormat,
    KeyTemplate,
    Role,
    Segment,
    TemplateSyntaxError,
)
from modelkit.keys._types import KEY_TYPES, codec_for, key_type

__all__ = [
    "AFTER_DELIMITER",
    "DELIMITER",
    "ESCAPE",
    "KEY_TYPES",
    "MAX_KEY_BYTES",
    "SORT_OPS",
    "KeyCodec",
    "KeyCodecError",
    "KeyCondition",
    "KeyFormat",
    "KeyTemplate",
    "Role",
    "Segment",
    "SortOp",
    "TemplateSyntaxError",
    "codec_for",
    "escape_str",
    "key_type",
    "sort_condition",
    "unescape_str",
]
