"""The built-in container images, and the catalog that maps an image reference to a process.

* :mod:`petset.images.catalog`: ``resolve(image, command, args, user_catalog=...)`` -> the argv, env,
  working directory and stop signal of a container, or why it cannot run (the node agent's entry).
* The image programs, each run as ``python -m <module>``: :mod:`~petset.images.kubia_pet`,
  :mod:`~petset.images.kubia_pet_peers`, :mod:`~petset.images.webserver` (nginx, httpd),
  :mod:`~petset.images.pause`; their shared pieces :mod:`~petset.images.http1`,
  :mod:`~petset.images.dnsclient`, :mod:`~petset.images.kubia`.
* :mod:`petset.images.overrides`: the environment variables that adapt the programs to a runtime
  without namespaces.

This package imports nothing here, so that a pod's process loads only what its program needs.
See docs/images.md.
"""
