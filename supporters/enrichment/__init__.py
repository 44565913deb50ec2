"""Offline enrichment of supporters: phones, emails, names, addresses, duplicates, engagement.

Every enricher writes derived fields (never what a person typed) with its name and version;
``pipeline.enrich_supporters`` runs them over a batch. ``VERSION`` changes whenever any
enricher's does, so the sweep can find outdated records.
"""

from . import addresses, duplicates, emails, engagement, names, phones

ENRICHER = "supporters.enrichment"
VERSIONS = {
    module.NAME: module.VERSION
    for module in (phones, emails, names, addresses, duplicates, engagement)
}
VERSION = sum(VERSIONS.values()) - len(VERSIONS) + 1
