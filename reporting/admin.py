"""The admin of every reporting feature: importing each feature's ``admin`` registers its ModelAdmins."""

from reporting.bulletins import admin as bulletins_admin  # noqa: F401
from reporting.dispatch import admin as dispatch_admin  # noqa: F401
from reporting.evaluation import admin as evaluation_admin  # noqa: F401
from reporting.indicators import admin as indicators_admin  # noqa: F401
from reporting.notices import admin as notices_admin  # noqa: F401
from reporting.reports import admin as reports_admin  # noqa: F401
