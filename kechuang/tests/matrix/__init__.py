"""The role × endpoint × object access matrix (see `kechuang/tests/test_access_matrix.py`)."""
