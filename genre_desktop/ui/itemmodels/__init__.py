"""Qt item models over the library; they hold ids and a lazy row cache, never whole tables."""
