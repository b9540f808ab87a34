"""Filters, joins, ranking and exports behind the pages (plain functions, no Streamlit).

``workplaces`` resolves presets, addresses and coordinates to points; ``candidates``
joins commute times, schools, childcare and prices onto the neighbourhoods and ranks
them; ``export`` turns a result into CSV, GeoJSON or GeoPackage bytes.
"""
