"""One module per publisher: ``parse_*`` functions turn a raw file into a tidy frame.

Parsers validate what they read (columns, types, coordinate ranges, CRS) and raise
:class:`etl.errors.SourceError` naming the file and the problem.  Live download
locations are listed in each module's ``LIVE_SOURCES`` (see ``python -m etl fetch``).
"""
