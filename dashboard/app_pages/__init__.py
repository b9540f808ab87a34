"""Pages of the app (UI only; logic lives in dashboard.layers, maps and cache)."""
