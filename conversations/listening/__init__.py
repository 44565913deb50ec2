"""Listening: what we heard means something. ``rules``: pure text rules (sentiment, issues,
things to remember, an asked follow-up time); ``services``: storing what they found."""
