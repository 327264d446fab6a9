"""Renderers a person reads: HTML reports (and, later, the web page) built from result types."""
