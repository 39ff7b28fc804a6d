"""Cached values: a msgspec-encoded envelope around the entity instance (or None, "no such
item"), stamped with the run id of the Redis process that stored it, its expiry for early
refresh and the time its fill took."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import msgspec

T = TypeVar("T")


class Envelope(msgspec.Struct, Generic[T], array_like=True):
    """``run`` is the storing server's run id; ``expires`` (epoch seconds) and ``delta``
    (seconds the fill took) drive early refresh; ``value`` None caches an absence."""

    run: bytes
    expires: float
    delta: float
    value: T | None


class EnvelopeCodec(Generic[T]):
    """Encodes and decodes the envelopes of one entity type."""

    def __init__(self, cls: type[T]) -> None:
        self._encode = msgspec.msgpack.Encoder().encode
        self._decoder: msgspec.msgpack.Decoder[Envelope[Any]] = msgspec.msgpack.Decoder(
            Envelope[cls]  # type: ignore[valid-type]
        )

    def encode(self, run: bytes, expires: float, delta: float, value: T | None) -> bytes | None:
        """The envelope's bytes; None for a value msgpack cannot hold (an integer beyond 64
        bits, which DynamoDB's 38-digit numbers allow): such a value is not cached."""
        try:
            return self._encode(Envelope(run, expires, delta, value))
        except (OverflowError, msgspec.EncodeError):
            return None

    def decode(self, data: bytes) -> Envelope[T] | None:
        """The envelope, or None for bytes that are not one of this type (never raises)."""
        try:
            envelope: Envelope[T] = self._decoder.decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None
        return envelope
