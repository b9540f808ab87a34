"""Leuven Atlas Streamlit dashboard (``streamlit run dashboard/app.py``)."""
