"""The OSDI adapter: Earshot's people, tags and segments as OSDI 1.x (Action Network API v2)."""
