"""Custom-painted widgets (charts drawn with QPainter; QtCharts is not in PySide6-Essentials)."""
