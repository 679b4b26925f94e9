"""The workbooks of 讲 and 见: the lecture ledger and the action-item tracker (export kinds)."""

from campaign.workbooks import actions, lectures  # noqa: F401
