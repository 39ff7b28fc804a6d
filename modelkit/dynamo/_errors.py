"""botocore and PynamoDB failures turned into modelkit's errors (see :mod:`modelkit.errors`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import (  # type: ignore[import-untyped]
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)
from botocore.exceptions import (
    ConnectionError as BotocoreConnectionError,
)
from pynamodb.exceptions import VerboseClientError

from modelkit.errors import (
    CancellationReason,
    ConditionFailed,
    DynamoError,
    TableNotFound,
    Throttled,
    TransactionCanceled,
)

#: Codes that mean "not enough capacity"; botocore's standard retries have already run.
THROTTLING_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)


def from_client_error(
    exc: ClientError, operation: str, request: Mapping[str, Any], endpoint: str
) -> DynamoError:
    """The modelkit error for an error response of DynamoDB."""
    # PynamoDB's VerboseClientError keeps only ``Error``; the botocore error it wraps has the
    # whole parsed response (``Item``, ``CancellationReasons``, ``ResponseMetadata``).
    cause = exc.__cause__
    response: Mapping[str, Any] = cause.response if isinstance(cause, ClientError) else exc.response
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    message = str(error.get("Message", "")) or code
    where = _where(operation, request)
    if code == "ConditionalCheckFailedException":
        return ConditionFailed(
            f"{where}: {message}", item=response.get("Item"), operation=operation
        )
    if code == "TransactionCanceledException":
        return _canceled(exc, response, operation, request)
    if code == "ResourceNotFoundException":
        return TableNotFound(
            f"{where}: {message} on {endpoint} (deploy the table first: modelkit deploy SCHEMA)",
            code=code,
            operation=operation,
        )
    if code in THROTTLING_CODES:
        attempts = 1 + int(response.get("ResponseMetadata", {}).get("RetryAttempts", 0))
        return Throttled(
            f"{where}: throttled after {attempts} attempt(s) ({code}: {message})",
            code=code,
            operation=operation,
        )
    return DynamoError(f"{where}: {code}: {message}", code=code, operation=operation)


def from_botocore_error(exc: BotoCoreError, operation: str, endpoint: str) -> DynamoError:
    """The modelkit error for a failure before or instead of a response."""
    if isinstance(exc, BotocoreConnectionError | HTTPClientError):
        # connection refused or timed out / a read timeout or a dropped connection
        failed = "cannot reach" if isinstance(exc, BotocoreConnectionError) else "no answer from"
        return DynamoError(
            f"{failed} DynamoDB at {endpoint} ({operation}): {exc}",
            code=type(exc).__name__,
            operation=operation,
        )
    error = setup_error(exc, context=operation)
    error.operation = operation
    return error


def setup_error(exc: BotoCoreError, *, context: str = "") -> DynamoError:
    """Missing credentials, Region or profile: what to set. ``context`` prefixes the message
    (the operation, the profile)."""
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        hint = "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use a profile (--profile)"
        message = f"no usable AWS credentials ({exc}); {hint}"
    elif isinstance(exc, NoRegionError):
        message = "no AWS region: pass one (--region), set AWS_REGION, or configure the profile's"
    elif isinstance(exc, ProfileNotFound):
        message = f"{exc}; list profiles with `aws configure list-profiles`"
    else:
        message = str(exc)
    message = f"{context}: {message}" if context else message
    return DynamoError(message, code=type(exc).__name__)


def _canceled(
    exc: ClientError, response: Mapping[str, Any], operation: str, request: Mapping[str, Any]
) -> TransactionCanceled:
    targets = list(request.get("TransactItems", ()))
    reasons: list[CancellationReason] = []
    if isinstance(exc, VerboseClientError):
        found = [(r.code, r.message, r.raw_item) if r else None for r in exc.cancellation_reasons]
    else:
        found = [
            (r["Code"], r.get("Message"), r.get("Item"))
            if r.get("Code", "None") != "None"
            else None
            for r in response.get("CancellationReasons", ())
        ]
    for index, reason in enumerate(found):
        if reason is not None:
            code, message, item = reason
            target = targets[index] if index < len(targets) else None
            reasons.append(CancellationReason(index, code, message or "", item, target))
    listed = "; ".join(
        f"item {r.index}: {r.code}" + (f" ({r.message})" if r.message else "") for r in reasons
    )
    error = TransactionCanceled(
        f"{operation} canceled: {listed or exc.response.get('Error', {}).get('Message', '')}",
        reasons=reasons,
    )
    error.operation = operation  # TransactionCanceled assumes TransactWriteItems
    return error


def _where(operation: str, request: Mapping[str, Any]) -> str:
    tables = _tables(request)
    if not tables:
        return operation
    return f"{operation} on table {', '.join(tables)}"


def _tables(request: Mapping[str, Any]) -> list[str]:
    if "TableName" in request:
        return [str(request["TableName"])]
    if "RequestItems" in request:
        return [str(t) for t in request["RequestItems"]]
    names: list[str] = []
    for item in request.get("TransactItems", ()):
        for action in item.values():
            name = str(action.get("TableName", ""))
            if name and name not in names:
                names.append(name)
    return names
