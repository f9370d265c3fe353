"""Engine settings per database and the one-commit-per-request rule.

Services only flush(); a request that ends with a status below 400 commits once, anything else
(an error page, an exception) rolls back, so nothing is half-saved.
"""

from flask import Flask
from sqlalchemy import event

from webapp.extensions import db


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)

    @app.after_request
    def commit_on_success(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers run beside the single writer; the busy timeout makes a second writer wait
    # instead of failing at once; SQLite leaves foreign keys off unless asked.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def is_sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"



