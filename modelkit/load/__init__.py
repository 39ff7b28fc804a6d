"""Loading test data into a deployed table: JSON, JSONL or CSV records, validated against
their entities, written in batches (entities with unique fields one record a transaction),
resumable after an interruption.

>>> result = load(design, Path("orders.jsonl"), client, threads=4)   # doctest: +SKIP
>>> result.loaded, result.rejected                                   # doctest: +SKIP
"""

from modelkit.load._load import LoadResult, load
from modelkit.load._records import Record, read_records
from modelkit.load._rejects import Reject
from modelkit.load._writer import Batch, Put

__all__ = ["Batch", "LoadResult", "Put", "Record", "Reject", "load", "read_records"]
