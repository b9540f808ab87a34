"""Transform steps shared by several stages (joins, spatial assignment, ordering)."""
