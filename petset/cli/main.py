"""The ``petset`` command."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
import platformdirs

from petset.cluster_errors import AlreadyRunning

if TYPE_CHECKING:
    from petset.cluster import Cluster, ClusterConfig

__all__ = ["main"]


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("petset"))


class _OneLineErrors(click.Group):
    """Every failure is one clear line on stderr and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, KeyboardInterrupt):
            raise
        except AlreadyRunning as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(_os_error(exc)) from None


def _os_error(exc: OSError) -> str:
    if exc.errno == 98:
        return f"cannot listen: {exc.strerror} (is another server using the port? choose one with --port)"
    if exc.errno == 13:
        return f"permission denied: {exc.filename or exc.strerror}"
    return str(exc)


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option("0.1.0", prog_name="petset")
def cli() -> None:
    """petset: the Kubernetes StatefulSet system, whole and real, on one machine."""


@cli.command()
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=default_data_dir,
              show_default="the user's data directory", help="Where state, certificates and the kubeconfig live.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the API server listens on.")
@click.option("--port", default=6443, show_default=True, type=click.IntRange(0, 65535),
              help="API server port (0: any free port).")
@click.option("--merge-kubeconfig", is_flag=True,
              help="Also add a 'petset' context to ~/.kube/config (or the first file in $KUBECONFIG).")
@click.option("--nodes", default=1, show_default=True, type=click.IntRange(1, 64), help="Node agents to run.")
@click.option("--runtime", type=click.Choice(["auto", "namespaces", "process", "simulated"]), default="auto",
              show_default=True, help="How pods run: Linux namespaces (root), plain processes, or simulated.")
@click.option("--dns-port", default=0, show_default=True, type=click.IntRange(0, 65535),
              help="Port of the cluster DNS on 127.0.0.1 (0: any free port).")
@click.option("--node-monitor-grace-period", default=50.0, show_default=True, type=click.FloatRange(1),
              help="Seconds without a heartbeat before a node is NotReady (kube-controller-manager's flag).")
@click.option("--default-unreachable-toleration-seconds", default=300, show_default=True, type=click.IntRange(0),
              help="How long pods stay on an unreachable node before eviction (kube-apiserver's flag).")
@click.option("--default-not-ready-toleration-seconds", default=300, show_default=True, type=click.IntRange(0),
              help="How long pods stay on a not-ready node before eviction (kube-apiserver's flag).")
@click.option("--image-catalog", type=click.Path(dir_okay=False, path_type=Path), envvar="PETSET_IMAGE_CATALOG",
              help="A YAML file mapping more image names to programs of this machine (docs/images.md).")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
def up(data_dir: Path, host: str, port: int, merge_kubeconfig: bool, nodes: int, runtime: str, dns_port: int,
       node_monitor_grace_period: float, default_unreachable_toleration_seconds: int,
       default_not_ready_toleration_seconds: int, image_catalog: Path | None, verbose: int) -> None:
    """Start petset in the foreground; Ctrl-C stops it and keeps all state."""
    logging.basicConfig(level=[logging.WARNING, logging.INFO, logging.DEBUG][min(verbose, 2)],
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    _compile_package()
    _import_aiohttp_without_system_cas()
    from petset.cluster import ClusterConfig
    options = {
        "node_monitor_grace_period": node_monitor_grace_period,
        # The monitor looks a few times per grace period (upstream: every 5 s of 50 s).
        "node_monitor_period": min(5.0, max(node_monitor_grace_period / 10, 0.5)),
        "default_unreachable_toleration_seconds": default_unreachable_toleration_seconds,
        "default_not_ready_toleration_seconds": default_not_ready_toleration_seconds,
        "image_catalog": image_catalog.expanduser().resolve() if image_catalog else None,
    }
    config = ClusterConfig(data_dir=data_dir.expanduser().resolve(), host=host, port=port, nodes=nodes,
                           runtime=runtime, dns_port=dns_port, options=options)
    asyncio.run(_serve(config, merge_kubeconfig))


def _compile_package() -> None:
    """Byte-compile petset once: where Python may not cache compiled modules itself
    (PYTHONDONTWRITEBYTECODE, editable installs), every start would compile them all again."""
    import compileall

    with contextlib.suppress(OSError):
        compileall.compile_dir(Path(__file__).resolve().parents[1], quiet=2)


def _import_aiohttp_without_system_cas() -> None:
    """Import aiohttp without reading the system's CA bundle.

    aiohttp builds a verifying client SSL context when imported, which reads every system CA
    (~80 ms, a sixth of petset's start-up). The petset process never connects to a server it would
    verify with them: its clients trust the cluster's own CA, given explicitly. So that one import
    sees an empty bundle; the environment is restored right after.
    """
    saved = {k: os.environ.get(k) for k in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    os.environ["SSL_CERT_FILE"] = os.devnull
    os.environ["SSL_CERT_DIR"] = os.devnull
    try:
        import aiohttp  # noqa: F401
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


async def _serve(config: ClusterConfig, merge: bool) -> None:
    from petset.cluster import Cluster, kubeconfig_document, merge_kubeconfig

    cluster = Cluster(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await cluster.start()
    try:
        assert cluster.apiserver is not None
        if merge:
            target = Path(os.environ.get("KUBECONFIG", "").split(os.pathsep)[0] or Path.home() / ".kube" / "config")
            doc = kubeconfig_document(cluster.apiserver.url, (config.data_dir / "pki" / "ca.crt").read_bytes(),
                                      (config.data_dir / "token").read_text().strip())
            merge_kubeconfig(target, doc)
        _banner(cluster, merge)
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await cluster.stop()
    click.echo("petset stopped; state kept in " + str(config.data_dir))


def _banner(cluster: Cluster, merged: bool) -> None:
    assert cluster.apiserver is not None
    lines = [
        f"petset is up in {cluster.started_in * 1000:.0f} ms: Kubernetes v1.32 API at {cluster.apiserver.url}",
        f"  data dir:  {cluster.data_dir}",
        f"  nodes:     {', '.join(k.node_name for k in cluster.kubelets)} ({cluster.runtime_name} runtime)",
        f"  DNS:       {', '.join(f'{d.host}:{d.port}' for d in cluster.dns)} (zone cluster.local)",
        "",
        "Point kubectl at it:",
        f"  export KUBECONFIG={cluster.kubeconfig_path}",
    ]
    if merged:
        lines.append("  (or: kubectl config use-context petset)")
    lines += ["  kubectl get all", "", "Ctrl-C stops petset; everything is kept for the next 'petset up'."]
    click.echo("\n".join(lines))
    sys.stdout.flush()


@cli.command()
@click.argument("name")
@click.argument("rtype", default="A", metavar="[TYPE]")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=default_data_dir,
              show_default="the user's data directory", help="The data dir of the petset whose DNS to ask.")
@click.option("--server", help="DNS server as HOST:PORT (default: the one petset up wrote into the data dir).")
@click.option("--tcp", is_flag=True, help="Ask over TCP instead of UDP.")
def dig(name: str, rtype: str, data_dir: Path, server: str | None, tcp: bool) -> None:
    """Ask petset's cluster DNS, as dig does: petset dig kubia.default.svc.cluster.local SRV."""
    from petset.dns.dig import dig as ask

    if server is None:
        address_file = data_dir.expanduser() / "dns-address"
        if not address_file.exists():
            raise click.ClickException(f"no petset DNS address in {data_dir} (is petset up running there?)")
        server = address_file.read_text().strip()
    host, _, port = server.rpartition(":")
    if not host or not port.isdigit():
        raise click.ClickException(f"--server must be HOST:PORT, not {server!r}")
    click.echo(asyncio.run(ask(name, rtype.upper(), host, int(port), tcp=tcp)), nl=False)


def main() -> None:
    cli(prog_name="petset")


if __name__ == "__main__":
    main()
