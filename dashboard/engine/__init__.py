"""Commute engine: travel times by walk, bike, car and public transport (no Streamlit here).

Street modes run one-to-all Dijkstra (``scipy.sparse.csgraph``) over the CSR graphs built
by the ETL; every result says whether it was computed on a real network or estimated,
and by which method.
"""
