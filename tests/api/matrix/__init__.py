"""The permission matrix's table: one module per app or feature, each with ``ROWS: dict[str, Row]`` keyed
by route name (``manage.py show_urls`` is not needed: the test's failure lists the missing names)."""
