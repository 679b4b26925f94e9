"""The workbooks. Each module registers its kinds with ``reporting.exports.registry`` on import."""

from reporting.exports.workbooks import actions, bulletin, evaluation, hospitals, indicators, lectures  # noqa: F401
