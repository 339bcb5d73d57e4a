"""Report view model and renderers (pure: no I/O, no settings)."""
