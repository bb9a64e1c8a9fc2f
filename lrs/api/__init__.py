"""HTTP surface: thin Flask blueprints over the services in ``lrs.store`` and ``projections``."""
