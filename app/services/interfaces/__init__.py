"""Interfaces with the ministry's information systems: imports and API clients."""
