"""The one ABC reader: header fields, body tokens, meter, key and bars; and the structural labels of a tune.

No ML library is imported here.
"""
