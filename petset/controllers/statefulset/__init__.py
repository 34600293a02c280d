"""The StatefulSet controller, split as upstream's ``pkg/controller/statefulset``.

``controller`` wires informers and the work queue and claims pods; ``control`` is the update
algorithm; ``pod_control`` the side effects behind one interface; ``status`` and ``revisions`` the
status rules and ControllerRevision history; ``utils`` the pure helpers (identity, claims,
predicates, the retention-policy owner references).
"""

from petset.controllers.statefulset.controller import StatefulSetController

__all__ = ["StatefulSetController"]
