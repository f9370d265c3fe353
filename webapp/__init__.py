"""The application factory: config → extensions → blueprints → CLI → errors."""

from pathlib import Path

from flask import Flask

from webapp import config
from webapp.extensions import babel, csrf, db, limiter, login_manager, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    config.load(app, overrides)
    from webapp import database

    database.engine_options(app)
    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, default_locale=app.config["BABEL_DEFAULT_LOCALE"])
    limiter.init_app(app)
    login_manager.init_app(app)

    from webapp import (
        auth,
        cli,
        dashboard,
        documents,
        drills,
        errors,
        jobs,
        outreach,
        plans,
        quiz,
        registry,
        security,
        templating,
        training,
    )
    from webapp.common import ids

    app.extensions["nav"] = []
    for module in (dashboard, registry, plans, drills, outreach, training, quiz, documents, jobs, auth):
        app.register_blueprint(module.bp)
        app.extensions["nav"].extend(module.NAV)

    app.register_blueprint(quiz.phone_bp)
    app.register_blueprint(outreach.phone_bp)
    app.register_blueprint(training.phone_bp)
    app.register_blueprint(training.verify_bp)
    ids.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app
