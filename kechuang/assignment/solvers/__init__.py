"""Solver implementations; pick them by name through `kechuang.assignment.registry`."""
