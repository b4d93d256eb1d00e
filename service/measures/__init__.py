"""Measurement-based care: questionnaires and drinking outcomes."""
