# Temporary: the connector seam moves here from petset/apiserver/connector.py once its author is done.
from petset.apiserver.connector import *  # noqa: F403
from petset.apiserver.connector import ExecStreams, LogOptions, NodeConnector, SupportsAttach, TerminalSize

__all__ = ["ExecStreams", "LogOptions", "NodeConnector", "SupportsAttach", "TerminalSize"]
