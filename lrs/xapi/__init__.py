"""The xAPI statement model: validation, normalisation and formatting.

Pure Python: nothing in this package imports Flask or SQLAlchemy.
"""
