"""The HTTP surface: Litestar app factory, routes and error mapping."""

from summarizer.api.app import create_app

__all__ = ["create_app"]
