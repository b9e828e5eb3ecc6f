"""Folk tunes in: load a collection or a file, clean it, split it by tune, build the vocabulary, count.

No ML library is imported here.
"""
