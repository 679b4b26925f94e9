# The report workflow's admin lives in report_admin.py; importing it registers its ModelAdmins.
from . import report_admin  # noqa: F401
