"""Reading and writing DynamoDB: connection, repositories, queries, batches, transactions.

>>> db = connect(design, endpoint_url="http://127.0.0.1:8000")   # doctest: +SKIP
>>> orders = db.repo(Order)                                      # doctest: +SKIP
>>> orders.put(order); orders.get(customer_id="c-42", placed_at=t, order_id="o-1")  # doctest: +SKIP
"""

from modelkit.dynamo._batch import Backoff, BatchIncomplete
from modelkit.dynamo._connection import DynamoClient, connect_dynamodb
from modelkit.dynamo._cursor import CursorError
from modelkit.dynamo._database import Database, connect
from modelkit.dynamo._deploy import deploy
from modelkit.dynamo._query import Page
from modelkit.dynamo._repository import Repository
from modelkit.dynamo._stats import CapacityRow, CapacityStats
from modelkit.dynamo._stream_invalidator import InvalidationCounts, StreamInvalidator
from modelkit.dynamo._streams import StreamEvent
from modelkit.dynamo._transactions import Transaction
from modelkit.dynamo.expressions import Path, fields, if_not_exists, list_append

__all__ = [
    "Backoff",
    "BatchIncomplete",
    "CapacityRow",
    "CapacityStats",
    "CursorError",
    "Database",
    "DynamoClient",
    "InvalidationCounts",
    "Page",
    "Path",
    "Repository",
    "StreamEvent",
    "StreamInvalidator",
    "Transaction",
    "connect",
    "connect_dynamodb",
    "deploy",
    "fields",
    "if_not_exists",
    "list_append",
]
