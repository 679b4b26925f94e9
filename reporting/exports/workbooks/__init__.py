"""The workbooks. Each module registers its kinds with ``reporting.exports.registry`` on import."""

from . import actions, hospitals, lectures  # noqa: F401
