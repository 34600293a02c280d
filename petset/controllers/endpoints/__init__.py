"""The endpoints controllers: which pods back each Service, as EndpointSlices and Endpoints.

``controller`` wires informers and queues; ``slices`` and ``subsets`` decide (pure functions of
the observed objects); ``pods`` holds the predicates both share; ``tracker`` guards against
deciding from a cache that has not yet seen the controller's own writes.
"""

from petset.controllers.endpoints.controller import EndpointsController

__all__ = ["EndpointsController"]
