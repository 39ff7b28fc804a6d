"""The connection to DynamoDB: credentials, Region, timeouts and retries, on PynamoDB's
``Connection`` (botocore underneath). Every failure leaves as a modelkit error."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import botocore.session  # type: ignore[import-untyped]
from botocore.exceptions import (  # type: ignore[import-untyped]
    BotoCoreError,
    ClientError,
    NoCredentialsError,
)
from botocore.model import (  # type: ignore[import-untyped]
    OperationModel,
    OperationNotFoundError,
)
from botocore.validate import ParamValidator  # type: ignore[import-untyped]
from pynamodb.connection import Connection
from pynamodb.connection._botocore_private import BotocoreBaseClientPrivate

from modelkit.dynamo._errors import from_botocore_error, from_client_error, setup_error
from modelkit.errors import ValidationError

#: A database client should fail fast: DynamoDB answers in milliseconds.
CONNECT_TIMEOUT = 1.0
READ_TIMEOUT = 5.0
#: Attempts per request, first one included (botocore "standard" retries, with backoff).
MAX_ATTEMPTS = 3


class DynamoClient:
    """Sends DynamoDB requests (the API's own JSON shapes) and returns the raw responses.

    Build it with :func:`connect_dynamodb`. A failure raises :class:`~modelkit.errors.
    ConditionFailed`, :class:`~modelkit.errors.TransactionCanceled`, :class:`~modelkit.errors.
    TableNotFound`, :class:`~modelkit.errors.Throttled`, or :class:`~modelkit.errors.DynamoError`
    (``code`` is DynamoDB's); a request botocore cannot serialize raises
    :class:`~modelkit.errors.ValidationError`.
    """

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        client = _client(connection)
        self.endpoint: str = client.meta.endpoint_url
        self.region: str = client.meta.region_name

    def __repr__(self) -> str:
        return f"DynamoClient({self.endpoint!r}, region={self.region!r})"

    def call(self, operation: str, request: Mapping[str, Any]) -> dict[str, Any]:
        """Send ``operation`` (``"GetItem"``, ``"TransactWriteItems"``, ...) with ``request``."""
        params = dict(request)  # PynamoDB adds ReturnConsumedCapacity to the dict it is given
        try:
            return self._connection.dispatch(operation, params)
        except ClientError as exc:
            raise from_client_error(exc, operation, request, self.endpoint) from exc
        except BotoCoreError as exc:
            raise from_botocore_error(exc, operation, self.endpoint) from exc
        except OperationNotFoundError as exc:
            raise ValidationError(f"DynamoDB has no operation {operation!r}") from exc
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # botocore's serializer (validation is off for speed) fails on a malformed request
            report = self._validate(operation, request)
            if report:
                raise ValidationError(f"{operation}: invalid request: {report}") from exc
            raise

    def _validate(self, operation: str, request: Mapping[str, Any]) -> str:
        model = _client(self._connection, operation).meta.service_model
        shape = model.operation_model(operation).input_shape
        report = ParamValidator().validate(dict(request), shape)
        return str(report.generate_report()) if report.has_errors() else ""


def connect_dynamodb(
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    profile: str | None = None,
    access_key_id: str | None = None,
    secret_access_key: str | None = None,
    session_token: str | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
    max_attempts: int = MAX_ATTEMPTS,
) -> DynamoClient:
    """A :class:`DynamoClient` for ``endpoint_url`` (AWS's endpoint of the Region if ``None``).

    Credentials: the keys given, else the ``profile``'s (resolved once, now), else botocore's
    usual chain (environment, default profile, container or instance role). Region: ``region``,
    else ``AWS_REGION``, ``AWS_DEFAULT_REGION``, then the profile's. No request is sent.
    """
    if max_attempts < 1:
        raise ValueError("max_attempts counts the first attempt: it must be at least 1")
    try:
        session = botocore.session.Session(profile=profile) if profile else None
        region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if session is not None:
            region = region or session.get_config_variable("region")
            if not access_key_id:
                access_key_id, secret_access_key, session_token = _profile_keys(session)
    except BotoCoreError as exc:
        raise setup_error(exc) from exc
    connection = _Connection(
        region=region,
        host=endpoint_url,
        connect_timeout_seconds=connect_timeout,
        read_timeout_seconds=read_timeout,
        max_retry_attempts=max_attempts - 1,
        retry_configuration={"mode": "standard", "total_max_attempts": max_attempts},
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        aws_session_token=session_token,
    )
    return DynamoClient(connection)


def _profile_keys(session: botocore.session.Session) -> tuple[str, str, str | None]:
    credentials = session.get_credentials()
    if credentials is None:
        profile = session.profile
        raise setup_error(NoCredentialsError(), context=f"profile {profile!r}")
    frozen = credentials.get_frozen_credentials()
    return frozen.access_key, frozen.secret_key, frozen.token


def _client(connection: Connection, operation: str = "") -> BotocoreBaseClientPrivate:
    try:
        return connection.client
    except BotoCoreError as exc:
        raise setup_error(exc, context=operation) from exc


class _Connection(Connection):
    """PynamoDB's connection; its botocore client drops parameters PynamoDB adds wrongly."""

    _checked: object = None

    @property
    def client(self) -> BotocoreBaseClientPrivate:
        client = super().client
        if client is not self._checked:  # PynamoDB makes a new client when credentials expire
            client.meta.events.register("before-parameter-build.dynamodb", _check_params)
            self._checked = client
        return client


def _check_params(params: dict[str, Any], model: OperationModel, **_: Any) -> None:
    """Drop the ``ReturnConsumedCapacity`` PynamoDB adds to every operation when this one has
    no such parameter (DescribeTimeToLive, ...): botocore's serializer would fail on it."""
    shape = model.input_shape
    if "ReturnConsumedCapacity" in params and "ReturnConsumedCapacity" not in shape.members:
        del params["ReturnConsumedCapacity"]
