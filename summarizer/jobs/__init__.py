"""Batch jobs on a queue (SAQ on Redis/Valkey): the task, the result store, the worker, the embedded server."""
