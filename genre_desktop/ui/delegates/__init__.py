"""Item delegates that paint from raw values (object roles), never from display text."""
