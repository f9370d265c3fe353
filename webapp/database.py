"""Engine settings per database and the one-commit-per-request rule.

Services only flush(); a request that ends with a status below 400 commits once, anything else
(an error page, an exception) rolls back, so nothing is half-saved.
"""

import json

from flask import Flask
from sqlalchemy import event

from webapp.extensions import db


def engine_options(app: Flask) -> None:
    """Settings the engine is built with (before db.init_app); a region's own options win."""
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"json_serializer": _json_text,
                                               **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}


def _json_text(value) -> str:
    # Chinese in JSON columns stays readable to anyone querying the database, and takes three
    # bytes a character instead of six (\uXXXX). Rows written before read the same.
    return json.dumps(value, ensure_ascii=False)


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



