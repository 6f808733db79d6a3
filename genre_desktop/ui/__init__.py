"""Windows, panels, dialogs, item models and delegates."""
