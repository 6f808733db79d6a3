"""Sounds like and More like this: the music tagger's tags and embedding per track.

tags.py groups the tagger's 50 tags (style, mood, era, voice and instruments) and picks the
ones worth showing; thresholds.py chooses the per-tag display thresholds (tag_thresholds.py holds
the chosen values); similarity.py is the nearest-neighbour index over track embeddings.
No Qt, no SQL: the library layer loads the vectors, this package only computes.
"""
