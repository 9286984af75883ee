"""CLI command modules: each exposes register(app, export_app) and is listed in catalog.cli.app.COMMAND_MODULES."""
