"""The cluster DNS: ``<svc>.<ns>.svc.cluster.local`` and the pets' stable names, fed by informers.

``records`` keeps the records (pure, no I/O), ``wire`` reads queries and writes responses,
``server`` serves them over UDP and TCP, ``forward`` passes other names upstream, and ``dig``
is the client behind ``petset dig``.
"""

from petset.dns.dig import dig
from petset.dns.server import DNSServer

__all__ = ["DNSServer", "dig"]
