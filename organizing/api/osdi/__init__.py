"""OSDI plumbing shared by any adapter: the token header, HAL+JSON, paging, OData filters.

The adapter for people, tags and lists is the supporters app's: ``supporters/api/osdi/``.
"""
