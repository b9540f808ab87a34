"""Leuven Atlas ETL: from the publishers' raw files (or the offline mirror) to ``geodata/``.

Run ``python -m etl --help``.
"""
