"""The workbooks. Each module registers its kinds with ``reporting.exports.registry`` on import."""

from . import hospitals  # noqa: F401
