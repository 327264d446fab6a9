"""Fit the shipped models and tables from data sets."""
