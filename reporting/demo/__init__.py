"""The living demo (issue 14, item 4): the 2021 campaign of the sample hospitals as it stands on
2021-12-03, played through the services (``loader``), with small sample files (``samples``) and the
"示例数据" notice on every page (``context``)."""
