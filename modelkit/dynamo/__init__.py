"""Reads and writes against DynamoDB: expressions, repositories, queries, batches, transactions."""
