"""Explore page script: draws :func:`dashboard.app_pages.explore_view.render`.

The page's code lives in a module, imported once: Streamlit compiles a page script on
every run where it holds no bytecode cache (``AppTest`` and a fresh script runner),
and with its magic rewriting that cost ~80 ms per rerun for the 550-line page.
"""

from dashboard.app_pages import explore_view

explore_view.render()
