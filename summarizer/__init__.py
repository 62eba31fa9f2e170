"""Structured, grounded summaries of news articles."""
