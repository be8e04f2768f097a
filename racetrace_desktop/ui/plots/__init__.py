"""Stacked pyqtgraph plots against distance with one shared cursor."""
