"""`taskforce run` migrates in a child process and keeps alembic out of its own memory
(storage/schema_version.py, bot/serving.prepare); `/healthz` still tells a database that
is behind the code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.health import Health
from storage.engine import make_engine
from storage.migrate import heads
from storage.schema_version import MigrationFailed, current, migrate_apart

ROOT = Path(__file__).resolve().parent.parent


def test_migrate_apart_upgrades_and_tells_the_newest_revisions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tf.db'}"
    engine = make_engine(url)
    assert current(engine) == set()

    newest = migrate_apart(url)

    assert newest == heads(url) and newest
    assert current(engine) == set(newest)
    assert Health(engine, heads=newest).database()["ok"] is True


def test_a_failed_migration_stops_the_start_with_its_reason(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'no such folder' / 'tf.db'}"
    with pytest.raises(MigrationFailed, match="migrating the database failed: OperationalError"):
        migrate_apart(url)


def test_health_tells_a_database_behind_the_code(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tf.db'}"
    newest = migrate_apart(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))

    found = Health(engine, heads=newest).database()

    assert found == {"ok": False, "revision": "0001", "expected": ",".join(sorted(newest))}


# in a fresh interpreter: this test process has alembic loaded already
PREPARE = """
import json, sys
from bot.serving import prepare
from bot.settings import Settings
runtime = prepare(Settings(database_url=sys.argv[1]), sys.argv[2])
loaded = sorted(m for m in ("alembic", "mako", "pygments", "psycopg") if m in sys.modules)
print(json.dumps({"loaded": loaded, "health": runtime.health.report()["database"]}))
"""


@pytest.mark.parametrize("platform", ["slack", "dingtalk"])
def test_the_serving_process_never_loads_alembic(tmp_path: Path, platform: str) -> None:
    # nor, on SQLite, psycopg (10 MB of the P5 memory goal)
    url = f"sqlite:///{tmp_path / 'tf.db'}"
    done = subprocess.run(
        [sys.executable, "-c", PREPARE, url, platform],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])

    assert found["loaded"] == []
    assert found["health"]["ok"] is True
    assert found["health"]["revision"] == ",".join(sorted(heads(url)))
