"""Persistence: sqlmodel tables, repository functions, engine set-up, migrations.

Knows nothing about chat.
"""
