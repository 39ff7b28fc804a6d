"""DynamoClient: every failure leaves as a modelkit error, forced for real where a backend can.

Condition failures, canceled transactions, missing tables and validation errors come from the
three backends (moto in-process, moto server, dynalite); connection refused and read timeouts
from real sockets on loopback. No local backend throttles, so throttling alone is answered by a
fake endpoint (a small HTTP server replying DynamoDB's throttling errors): botocore's real
retries run against it.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError
from services import free_port

from modelkit.dynamo._connection import DynamoClient, connect_dynamodb
from modelkit.errors import (
    ConditionFailed,
    DynamoError,
    TableNotFound,
    Throttled,
    TransactionCanceled,
    ValidationError,
)

if TYPE_CHECKING:
    from conftest import Backend


def _create(dynamo: DynamoClient, name: str) -> None:
    dynamo.call(
        "CreateTable",
        {
            "TableName": name,
            "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )


def _put(name: str, pk: str, **extra: Any) -> dict[str, Any]:
    return {"TableName": name, "Item": {"PK": {"S": pk}, "n": {"N": "1"}}, **extra}


def test_calls_return_the_raw_response(dynamo: DynamoClient, table_name: str) -> None:
    _create(dynamo, table_name)
    request = _put(table_name, "a")
    dynamo.call("PutItem", request)
    assert "ReturnConsumedCapacity" not in request  # the caller's dict is left alone
    got = dynamo.call("GetItem", {"TableName": table_name, "Key": {"PK": {"S": "a"}}})
    assert got["Item"] == {"PK": {"S": "a"}, "n": {"N": "1"}}
    # DescribeTimeToLive has no ReturnConsumedCapacity: the one PynamoDB adds is dropped
    ttl = dynamo.call("DescribeTimeToLive", {"TableName": table_name})
    assert ttl["TimeToLiveDescription"]["TimeToLiveStatus"] == "DISABLED"


def test_condition_failure_keeps_the_current_item(backend: Backend, table_name: str) -> None:
    _create(backend.client, table_name)
    backend.client.call("PutItem", _put(table_name, "a"))
    request = _put(
        table_name,
        "a",
        ConditionExpression="attribute_not_exists(PK)",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    with pytest.raises(ConditionFailed) as caught:
        backend.client.call("PutItem", request)
    error = caught.value
    assert error.code == "ConditionalCheckFailedException"
    assert error.operation == "PutItem"
    assert "The conditional request failed" in str(error) and table_name in str(error)
    if backend.name == "dynalite":  # dynalite ignores ReturnValuesOnConditionCheckFailure
        assert error.item is None
    else:
        assert error.item == {"PK": {"S": "a"}, "n": {"N": "1"}}


def test_canceled_transaction_gives_one_reason_per_failed_item(
    backend: Backend, table_name: str
) -> None:
    dynamo = backend.client
    _create(dynamo, table_name)
    dynamo.call("PutItem", _put(table_name, "a"))
    dynamo.call("PutItem", _put(table_name, "c"))
    check = {
        "TableName": table_name,
        "Key": {"PK": {"S": "a"}},
        "ConditionExpression": "attribute_not_exists(PK)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    items = [
        {"Put": _put(table_name, "b")},
        {"ConditionCheck": check},
        {"Put": _put(table_name, "c", ConditionExpression="attribute_not_exists(PK)")},
    ]
    request = {"TransactItems": items}
    if backend.name == "dynalite":  # dynalite does not implement transactions
        with pytest.raises(DynamoError) as refused:
            dynamo.call("TransactWriteItems", request)
        assert type(refused.value) is DynamoError
        assert refused.value.code == "UnknownOperationException"
        return
    with pytest.raises(TransactionCanceled) as caught:
        dynamo.call("TransactWriteItems", request)
    error = caught.value
    assert [(r.index, r.code) for r in error.reasons] == [
        (1, "ConditionalCheckFailed"),
        (2, "ConditionalCheckFailed"),
    ]
    first, second = error.reasons
    assert first.item == {"PK": {"S": "a"}, "n": {"N": "1"}}  # ALL_OLD asked for it
    assert second.item is None
    assert first.target is items[1] and second.target is items[2]
    assert first.message == "The conditional request failed"
    assert "item 1: ConditionalCheckFailed" in str(error) and "item 2:" in str(error)
    assert (
        dynamo.call("GetItem", {"TableName": table_name, "Key": {"PK": {"S": "b"}}}).get("Item")
        is None
    )  # nothing of the transaction was written


def test_missing_table_is_table_not_found(backend: Backend) -> None:
    with pytest.raises(TableNotFound) as caught:
        backend.client.call("GetItem", {"TableName": "no-such-table", "Key": {"PK": {"S": "a"}}})
    message = str(caught.value)
    assert "no-such-table" in message and backend.client.endpoint in message
    assert "modelkit deploy" in message
    assert caught.value.code == "ResourceNotFoundException"


def test_validation_error_keeps_dynamodb_message(backend: Backend, table_name: str) -> None:
    _create(backend.client, table_name)
    empty_key = {"TableName": table_name, "Item": {"PK": {"S": ""}}}
    with pytest.raises(DynamoError) as caught:
        backend.client.call("PutItem", empty_key)
    assert type(caught.value) is DynamoError
    assert caught.value.code == "ValidationException"
    assert "empty string" in str(caught.value)
    assert str(caught.value).startswith(f"PutItem on table {table_name}: ValidationException: ")


def _closed_port_client(**options: Any) -> tuple[DynamoClient, str]:
    url = f"http://127.0.0.1:{free_port()}"  # bound, then closed: nothing listens
    return connect_dynamodb(endpoint_url=url, max_attempts=1, **options), url


@pytest.mark.usefixtures("aws_env")
def test_connection_refused_names_the_endpoint() -> None:
    client, url = _closed_port_client()
    with pytest.raises(DynamoError) as caught:
        client.call("DescribeTable", {"TableName": "t"})
    assert f"cannot reach DynamoDB at {url}" in str(caught.value)
    assert caught.value.code == "EndpointConnectionError"
    assert not isinstance(caught.value, BotoCoreError | ClientError)


@pytest.mark.usefixtures("aws_env")
def test_read_timeout_names_the_endpoint() -> None:
    with socket.socket() as server:  # accepts connections (backlog), never answers
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        client = connect_dynamodb(endpoint_url=url, read_timeout=0.2, max_attempts=1)
        with pytest.raises(DynamoError) as caught:
            client.call("DescribeTable", {"TableName": "t"})
    assert str(caught.value).startswith(f"no answer from DynamoDB at {url} (DescribeTable): ")
    assert caught.value.code == "ReadTimeoutError"


@pytest.mark.usefixtures("aws_env")
def test_malformed_request_is_refused_before_it_is_sent() -> None:
    client, _ = _closed_port_client()  # a request that got out would fail to connect
    with pytest.raises(ValidationError, match=r'Unknown parameter in Key\.PK: "Q"'):
        client.call("GetItem", {"TableName": "t", "Key": {"PK": {"Q": "a"}}})
    with pytest.raises(ValidationError, match=r'Unknown parameter in input: "Bogus"'):
        client.call("GetItem", {"TableName": "t", "Key": {"PK": {"S": "a"}}, "Bogus": 1})
    with pytest.raises(ValidationError, match="no operation 'GetItm'"):
        client.call("GetItm", {"TableName": "t"})


# -- throttling: a fake endpoint, since no local backend throttles ---------------------------


class FakeDynamo(ThreadingHTTPServer):
    """FAKE DynamoDB endpoint: answers every request with ``status`` and ``body``, and keeps
    each request's headers."""

    status: int
    body: dict[str, Any]
    seen: list[dict[str, str]]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: FakeDynamo

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.seen.append(dict(self.headers))
        data = json.dumps(self.server.body).encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake_dynamo(aws_env: None) -> Iterator[FakeDynamo]:
    server = FakeDynamo(("127.0.0.1", 0), _Handler)
    server.status, server.body, server.seen = 400, {}, []
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _error(code: str) -> dict[str, str]:
    return {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "Rate exceeded"}


def test_throttling_is_retried_then_throttled(fake_dynamo: FakeDynamo) -> None:
    fake_dynamo.body = _error("ProvisionedThroughputExceededException")
    client = connect_dynamodb(endpoint_url=fake_dynamo.url, max_attempts=2)
    with pytest.raises(Throttled) as caught:
        client.call("GetItem", {"TableName": "hot", "Key": {"PK": {"S": "a"}}})
    assert len(fake_dynamo.seen) == 2  # botocore's standard retries ran
    assert caught.value.code == "ProvisionedThroughputExceededException"
    assert str(caught.value) == (
        "GetItem on table hot: throttled after 2 attempt(s) "
        "(ProvisionedThroughputExceededException: Rate exceeded)"
    )


@pytest.mark.parametrize("code", ["ThrottlingException", "RequestLimitExceeded"])
def test_other_throttling_codes_are_throttled(fake_dynamo: FakeDynamo, code: str) -> None:
    fake_dynamo.body = _error(code)
    client = connect_dynamodb(endpoint_url=fake_dynamo.url, max_attempts=1)
    with pytest.raises(Throttled) as caught:
        client.call("Query", {"TableName": "hot", "KeyConditionExpression": "PK = :a"})
    assert caught.value.code == code and caught.value.operation == "Query"


# -- configuration: credentials, Region, timeouts, retries ----------------------------------


def test_defaults_suit_a_database_client(aws_env: None) -> None:
    client = connect_dynamodb()
    config = client._connection.client.meta.config
    assert (config.connect_timeout, config.read_timeout) == (1.0, 5.0)
    assert config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert client.endpoint == "https://dynamodb.us-east-1.amazonaws.com"


def _profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text(
        "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = devsecret\n[nokeys]\n"
    )
    config = tmp_path / "config"
    config.write_text("[profile dev]\nregion = eu-west-2\n[profile nokeys]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))


def _signed_with(fake: FakeDynamo) -> str:
    """The credential scope of the last request: ``KEY/date/region/dynamodb``."""
    authorization = fake.seen[-1]["Authorization"]
    scope = authorization.split("Credential=")[1].split(",")[0]
    key, _, region, service, _ = scope.split("/")
    return f"{key}/{region}/{service}"


def test_profile_gives_credentials_and_region(
    fake_dynamo: FakeDynamo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _profiles(tmp_path, monkeypatch)
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    fake_dynamo.status, fake_dynamo.body = 200, {"TableNames": []}

    client = connect_dynamodb(endpoint_url=fake_dynamo.url, profile="dev")
    assert client.call("ListTables", {})["TableNames"] == []
    assert _signed_with(fake_dynamo) == "AKIDDEV/eu-west-2/dynamodb"  # not the env's keys

    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")  # the environment beats the profile
    connect_dynamodb(endpoint_url=fake_dynamo.url, profile="dev").call("ListTables", {})
    assert _signed_with(fake_dynamo) == "AKIDDEV/ap-south-1/dynamodb"

    monkeypatch.setenv("AWS_REGION", "sa-east-1")  # AWS_REGION beats AWS_DEFAULT_REGION
    explicit = connect_dynamodb(
        endpoint_url=fake_dynamo.url,
        profile="dev",
        access_key_id="AKIDGIVEN",
        secret_access_key="given",
    )
    assert explicit.region == "sa-east-1"
    explicit.call("ListTables", {})
    assert _signed_with(fake_dynamo) == "AKIDGIVEN/sa-east-1/dynamodb"
    connect_dynamodb(endpoint_url=fake_dynamo.url, region="us-west-1").call("ListTables", {})
    assert _signed_with(fake_dynamo) == "test/us-west-1/dynamodb"  # environment keys


def test_unusable_setup_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, aws_env: None
) -> None:
    _profiles(tmp_path, monkeypatch)
    with pytest.raises(DynamoError, match="could not be found"):
        connect_dynamodb(profile="nope")
    with pytest.raises(DynamoError, match=r"^profile 'nokeys': no usable AWS credentials"):
        connect_dynamodb(profile="nokeys")
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name)
    with pytest.raises(DynamoError, match="no AWS region: pass one"):
        connect_dynamodb(endpoint_url="http://127.0.0.1:9")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    client = connect_dynamodb(region="us-east-1", endpoint_url="http://127.0.0.1:9")
    with pytest.raises(DynamoError, match="no usable AWS credentials") as caught:
        client.call("ListTables", {})
    assert caught.value.code == "NoCredentialsError"
