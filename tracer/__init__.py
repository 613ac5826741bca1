"""Tracer: seized-firearm tracing for Mexican and US officials."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type | None = None) -> Flask:
    """Build the application: configuration, extensions, rooms, commands."""
    from config import config_from_environment

    config = config or config_from_environment()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config)
    if hasattr(config, "check"):
        config.check()
    if app.config.get("PROXY_HOPS"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_HOPS"], x_proto=app.config["PROXY_HOPS"])

    _init_extensions(app)
    _register_rooms(app)

    from tracer.core.access import check_declarations

    check_declarations(app)
    return app


def _init_extensions(app: Flask) -> None:
    from tracer.core import i18n
    from tracer.core.assets import init_assets
    from tracer.core.compression import init_compression
    from tracer.core.database import RowIdConverter, configure_engines, init_replica, postgres_engine_options
    from tracer.core.forms import init_form_templates
    from tracer.core.menu import init_menu
    from tracer.core.panels import init_panels
    from tracer.core.models import render_migration_item
    from tracer.core.rate_limits import init_rate_limits
    from tracer.extensions import babel, csrf, db, migrate

    postgres_engine_options(app)
    db.init_app(app)
    configure_engines(app)
    init_replica(app)
    app.url_map.converters["int"] = RowIdConverter
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True,
                     compare_type=True, render_item=render_migration_item)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    init_rate_limits(app)
    init_compression(app)
    init_assets(app)
    i18n.init_templates(app)
    init_form_templates(app)
    init_panels(app)
    init_menu(app)
    from tracer.deconfliction.budget import init_budget

    init_budget(app)


def _register_rooms(app: Flask) -> None:
    import tracer.models  # noqa: F401  (every table in the metadata)
    from tracer.api.views import bp as api_bp
    from tracer.audit.cli import register as register_audit_cli
    from tracer.audit.views import bp as audit_bp
    from tracer.auth.admin_views import bp as admin_bp
    from tracer.auth.cli import register as register_auth_cli
    from tracer.auth.loaders import init_login
    from tracer.auth.views import bp as auth_bp
    from tracer.backup.cli import register as register_backup_cli
    from tracer.cases import api as _cases_api  # noqa: F401  (adds its routes to the API blueprint)
    from tracer.ballistics import api as _ballistics_api  # noqa: F401  (adds its routes to the API blueprint)
    from tracer.ballistics import lead_views as _lead_views  # noqa: F401  (adds its routes to the ballistics blueprint)
    from tracer.ballistics import hooks as ballistics_hooks
    from tracer.ballistics import rifling_api as _rifling_api  # noqa: F401  (adds its route to the API blueprint)
    from tracer.ballistics.rifling_views import init_app as init_rifling
    from tracer.ballistics.views import bp as ballistics_bp
    from tracer.cases.views import bp as cases_bp
    from tracer.cases import workflow_views as _workflow_views  # noqa: F401  (adds its routes to the cases blueprint)
    from tracer.cases import work_views as _work_views  # noqa: F401  (adds its routes to the cases blueprint)
    from tracer.cases.case_page import init_app as init_case_page
    from tracer.cases.documents import init_app as init_case_documents
    from tracer.cases.demo import register as register_case_demo
    from tracer.core.access import enforce_access
    from tracer.core.errors_views import init_error_handlers
    from tracer.core.security import init_security
    from tracer.core.views import bp as core_bp
    from tracer.deconfliction import api as _deconfliction_api  # noqa: F401  (adds its routes to the API blueprint)
    from tracer.deconfliction.views import bp as deconfliction_bp
    from tracer.extensions import csrf
    from tracer.firearms import api as _firearms_api  # noqa: F401  (adds its routes to the API blueprint)
    from tracer.firearms.reference_views import init_app as init_reference
    from tracer.firearms.uploads import bp as attachments_bp
    from tracer.firearms.views import bp as firearms_bp
    from tracer.seizures import api as _seizures_api  # noqa: F401  (adds its routes to the API blueprint)
    from tracer.seizures.maps import bp as maps_bp
    from tracer.seizures.views import bp as seizures_bp
    from tracer.seizures.cli import register as register_seizure_cli
    from tracer.seizures.import_views import bp as seizure_import_bp
    from tracer.people import api as _people_api  # noqa: F401  (adds its routes to the API blueprint)
    from tracer.people import hooks as people_hooks
    from tracer.people.views import bp as people_bp
    from tracer.links import api as _links_api  # noqa: F401  (adds its routes to the API blueprint)
    from tracer.links import hooks as link_hooks
    from tracer.networks import api as _networks_api  # noqa: F401  (adds its route to the API blueprint)
    from tracer.networks import hooks as network_hooks
    from tracer.reports import hooks as report_hooks
    from tracer.search import api as _search_api  # noqa: F401  (adds its routes to the API blueprint)
    from tracer.search import batch_api as _search_batch_api  # noqa: F401  (adds its routes to the API blueprint)
    from tracer.search import batch_views as _search_batch_views  # noqa: F401  (adds its routes to the search blueprint)
    from tracer.search.views import bp as search_bp
    from tracer.tracing import hooks as tracing_hooks
    from tracer.tracing.cli import register as register_tracing_cli
    from tracer.tracing import api as _tracing_api  # noqa: F401  (adds its routes to the API blueprint)
    from tracer.tracing import backlog_views as _backlog_views  # noqa: F401  (adds its routes to the tracing blueprint)
    from tracer.tracing import dealer_views as _dealer_views  # noqa: F401  (the dealer watch list: page and API)
    from tracer.tracing import export_views as _export_views  # noqa: F401  (adds its routes to the tracing blueprint)
    from tracer.tracing import result_views as _result_views  # noqa: F401  (adds its routes to the tracing blueprint)
    from tracer.tracing import results_api as _results_api  # noqa: F401  (adds its routes to the API blueprint)
    from tracer.tracing import results_cli as _results_cli  # noqa: F401  (adds import trace-results to the import group)
    from tracer.tracing.views import bp as tracing_bp
    from tracer.stats import api as _stats_api  # noqa: F401  (adds its routes to the API blueprint)
    from tracer.stats import hooks as stats_hooks
    from tracer.stats.views import bp as stats_bp
    from tracer.auth.home import account_work
    from tracer.cases.home import assigned_work, case_work
    from tracer.core.panels import add_panel
    from tracer.deconfliction.home import deconfliction_work

    init_security(app)
    init_login(app)
    app.before_request(enforce_access)
    for blueprint in (core_bp, auth_bp, admin_bp, audit_bp, cases_bp, api_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(seizure_import_bp)
    for blueprint in (seizures_bp, firearms_bp, attachments_bp, maps_bp, tracing_bp, search_bp, deconfliction_bp,
                      ballistics_bp, people_bp, stats_bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api_bp)  # bearer tokens, no cookies: nothing for a forged form to ride on
    init_error_handlers(app)
    register_auth_cli(app)
    register_audit_cli(app)
    register_backup_cli(app)
    register_seizure_cli(app)
    register_tracing_cli(app)
    init_reference(app)
    init_case_documents(app)
    init_case_page(app)
    register_case_demo(app)
    tracing_hooks.init_app(app)
    link_hooks.init_app(app)
    # The home page's work list: the rooms that add to it without hooks of their own.
    add_panel(app, "home", case_work, order=10)
    add_panel(app, "home", assigned_work, order=15)
    add_panel(app, "home", deconfliction_work, order=40)
    add_panel(app, "home", account_work, order=50)
    ballistics_hooks.init_app(app)
    init_rifling(app)
    people_hooks.init_app(app)
    network_hooks.init_app(app)
    report_hooks.init_app(app)
    stats_hooks.init_app(app)
