"""Fixtures shared by the whole suite. Services: see services.py."""

from services import dynalite_url, moto_server_url

__all__ = ["dynalite_url", "moto_server_url"]
