"""Serve the participant app (or the projector view) to browsers on the local network.

`roundtable serve SESSION` runs a small web server (textual-serve over aiohttp). Each
browser that opens the page gets its own `roundtable join SESSION` process, driven over
a websocket; the browser's network address is handed to that process in
ROUNDTABLE_CLIENT, so wrong codes are throttled per device.

Venues are offline: the page we serve loads nothing from the internet (our own template
in roundtable/web/templates, the font bundled with textual-serve), and working out this
machine's address sends no network traffic at all.

This module imports aiohttp and textual-serve but never Textual itself: the server
process stays small, and each app process imports Textual on its own.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import logging
import os
import shlex
import signal
import socket
import struct
import sys
from pathlib import Path
from typing import Any, Iterable

from .errors import RoundtableError
from .service import SessionService

TEMPLATES = Path(__file__).resolve().parent / "web" / "templates"
TARGETS = ("join", "present")
WILDCARD_HOSTS = ("", "0.0.0.0", "::")
SHUTDOWN_GRACE = 3.0  # seconds app processes get to quit when the server stops

# Interfaces that are rarely the room's network: container bridges, VPNs, VM hosts.
_VIRTUAL_PREFIXES = ("docker", "br-", "veth", "virbr", "vmnet", "vboxnet", "tun", "tap", "wg", "zt",
                     "tailscale", "utun", "lxc", "lxd", "cni", "flannel", "podman", "kube")


# -- this machine's address on the local network ------------------------------------

def _linux_interface_addresses() -> list[tuple[str, str]]:
    """(interface, IPv4 address) of each interface that has one, via ioctl SIOCGIFADDR.

    Asks the kernel only: no packet leaves the machine.
    """
    if not sys.platform.startswith("linux"):
        return []
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        return []
    SIOCGIFADDR = 0x8915
    found: list[tuple[str, str]] = []
    try:
        names = [name for _, name in socket.if_nameindex()]
    except OSError:
        return []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for name in names:
            try:
                req = struct.pack("256s", name.encode()[:15])
                res = fcntl.ioctl(s.fileno(), SIOCGIFADDR, req)
            except OSError:  # interface down or without an IPv4 address
                continue
            found.append((name, socket.inet_ntoa(res[20:24])))
    return found


def _routed_address() -> str | None:
    """The source address the kernel would use towards a private address.

    connect() on a UDP socket only picks a route; it sends nothing, and we never send
    data on it. Fails (and we return None) when the machine has no route at all.
    """
    for probe in ("10.255.255.255", "192.168.255.255"):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                return s.getsockname()[0]
        except OSError:
            continue
    return None


def _rank(name: str, address: str) -> tuple[int, int]:
    ip = ipaddress.IPv4Address(address)
    virtual = 1 if name.lower().startswith(_VIRTUAL_PREFIXES) else 0
    # private (RFC 1918) addresses are what venue routers hand out; link-local is a last resort
    kind = 0 if ip.is_private and not ip.is_link_local else (2 if ip.is_link_local else 1)
    return virtual, kind


def lan_addresses(interfaces: Iterable[tuple[str, str]] | None = None) -> list[str]:
    """This machine's non-loopback IPv4 addresses, the likeliest room network first."""
    pairs = list(_linux_interface_addresses() if interfaces is None else interfaces)
    seen: dict[str, tuple[int, int]] = {}
    for name, address in pairs:
        try:
            ip = ipaddress.IPv4Address(address)
        except ValueError:
            continue
        if ip.is_loopback or ip.is_unspecified or ip.is_multicast:
            continue
        rank = _rank(name, address)
        if address not in seen or rank < seen[address]:
            seen[address] = rank
    return sorted(seen, key=lambda a: seen[a])


def lan_address() -> str | None:
    """This machine's likeliest LAN IPv4 address, or None; sends no network traffic."""
    found = lan_addresses()
    if found:
        return found[0]
    routed = _routed_address()
    if routed and not ipaddress.IPv4Address(routed).is_loopback and routed != "0.0.0.0":
        return routed
    return None


def _url(host: str, port: int) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}" if port == 80 else f"http://{host}:{port}"


def resolve_public_url(host: str, port: int, public_url: str | None) -> tuple[str, str | None]:
    """(address browsers use, warning or None)."""
    if public_url:
        return public_url.rstrip("/"), None
    if host not in WILDCARD_HOSTS:
        return _url(host, port), None
    address = lan_address()
    if address:
        return _url(address, port), None
    return _url("127.0.0.1", port), (
        "Warning: could not find this machine's address on the local network, so the address "
        "below only works on this computer; connect to the room's network or pass --public-url."
    )


# -- the server -------------------------------------------------------------------------

def app_argv(svc: SessionService, target: str) -> list[str]:
    """The command line of the app process each browser connection gets."""
    if target not in TARGETS:
        raise RoundtableError(f"Cannot serve '{target}'; use one of {', '.join(TARGETS)}.")
    path = svc.path.resolve()
    return [sys.executable, "-m", "roundtable", "--sessions-dir", str(path.parent), target, str(path)]


def shell_command(argv: list[str]) -> str:
    """textual-serve runs its command through the shell: quote every word, and `exec` so
    the shell is replaced by the app (one process per browser, which the server can kill)."""
    return "exec " + shlex.join(argv)


def _die_with_parent():
    """A preexec_fn so an app process ends if the server is killed outright (Linux).

    Without it a `kill -9` of the server would leave each browser's app running; the
    setting survives the shell's `exec`.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()
    PR_SET_PDEATHSIG = 1

    def setup() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the server died before prctl took effect
            os._exit(1)

    return setup


def _make_server_class():
    """Build the textual-serve subclasses (imported lazily: aiohttp is slow to import)."""
    from aiohttp import WSCloseCode, web
    from textual_serve.app_service import AppService
    from textual_serve.server import Server, to_int

    log = logging.getLogger("roundtable.serve")

    class ClientAppService(AppService):
        """One app process; it learns the browser's address from ROUNDTABLE_CLIENT."""

        def __init__(self, *args: Any, client: str, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.client = client
            self.stopping = False

        def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
            env = super()._build_environment(width=width, height=height)
            env["ROUNDTABLE_CLIENT"] = self.client
            return env

        async def _open_app_process(self, width: int = 80, height: int = 24):
            # As textual-serve does, plus a session of its own: Ctrl+C in the terminal
            # reaches only the server, which then asks each app to quit cleanly.
            environment = self._build_environment(width=width, height=height)
            self._process = process = await asyncio.create_subprocess_shell(
                self.command,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=environment,
                start_new_session=True,
                preexec_fn=_die_with_parent(),
            )
            assert process.stdin is not None
            self._stdin = process.stdin
            return process

        async def run(self) -> None:
            await super().run()
            process = self._process
            if process is not None:
                try:
                    status = await asyncio.wait_for(process.wait(), SHUTDOWN_GRACE)
                except asyncio.TimeoutError:
                    status = None
                if status not in (0, None) and not self.stopping:
                    log.warning("The app for %s ended with status %s.", self.client, status)
            # The process is gone (it quit, crashed or never started): let the browser
            # show "Disconnected" instead of a frozen screen.
            try:
                await self.remote_close()
            except Exception:
                pass

        async def stop(self) -> None:
            self.stopping = True
            await super().stop()

    class RoundtableServer(Server):
        """textual-serve's Server with our offline template, quiet startup and per-client env."""

        def __init__(self, command: str, *, host: str, port: int, title: str, public_url: str) -> None:
            super().__init__(command, host=host, port=port, title=title, public_url=public_url,
                             templates_path=TEMPLATES)
            self.sockets: set[web.WebSocketResponse] = set()
            self.services: set[AppService] = set()

        async def on_startup(self, app: web.Application) -> None:
            pass  # no logo: run_server prints the join address and QR code itself

        async def on_shutdown(self, app: web.Application) -> None:
            # Ask every app process to quit, then close the sockets, so stopping the
            # server does not wait for browsers to go away.
            for service in list(self.services):
                service.stopping = True
                try:
                    await service.send_meta({"type": "quit"})
                except Exception:
                    pass
            for ws in list(self.sockets):
                await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

        async def handle_index(self, request: web.Request) -> web.Response:
            import aiohttp_jinja2

            # Relative addresses only: the page works whichever of this machine's
            # addresses the browser used, and names no other host at all.
            font_size = min(max(to_int(request.query.get("fontsize", "16"), 16), 6), 48)
            context = {"title": self.title, "font_size": font_size, "static_url": "/static/",
                       "websocket_path": "/ws"}
            response = aiohttp_jinja2.render_template("app_index.html", request, context)
            response.headers["Cache-Control"] = "no-store"
            return response

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            websocket = web.WebSocketResponse(heartbeat=15)
            width = to_int(request.query.get("width", "80"), 80)
            height = to_int(request.query.get("height", "24"), 24)
            app_service: AppService | None = None
            self.sockets.add(websocket)
            try:
                await websocket.prepare(request)
                app_service = ClientAppService(
                    self.command,
                    write_bytes=websocket.send_bytes,
                    write_str=websocket.send_str,
                    close=websocket.close,
                    download_manager=self.download_manager,
                    debug=self.debug,
                    client=request.remote or "unknown",
                )
                self.services.add(app_service)
                await app_service.start(width, height)
                await self._process_messages(websocket, app_service)
            except asyncio.CancelledError:
                await websocket.close()
            except Exception as error:  # a browser misbehaving must not stop the server
                log.warning("Connection from %s failed: %s", request.remote, error)
            finally:
                self.sockets.discard(websocket)
                if app_service is not None:
                    await _stop_service(app_service)
                    self.services.discard(app_service)
            return websocket

    async def _stop_service(service: AppService) -> None:
        """Ask the app process to quit; kill it if it has not after a grace period."""
        try:
            await asyncio.wait_for(service.stop(), SHUTDOWN_GRACE)
        except (asyncio.TimeoutError, Exception):
            pass
        process = service._process
        if process is not None and process.returncode is None:
            try:
                process.kill()
            except ProcessLookupError:
                pass
            try:
                await asyncio.wait_for(process.wait(), SHUTDOWN_GRACE)
            except asyncio.TimeoutError:
                pass

    return RoundtableServer


def _bind_error(exc: OSError, host: str, port: int) -> RoundtableError:
    where = host or "all interfaces"
    if exc.errno == errno.EADDRINUSE:
        return RoundtableError(
            f"Port {port} is already in use on {where}; stop the other server or choose another port with --port.")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return RoundtableError(
            f"Not allowed to listen on port {port}; choose a port above 1023 with --port (for example 8000).")
    if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT) or isinstance(exc, socket.gaierror):
        return RoundtableError(
            f"This computer has no address {host}; use --host 0.0.0.0 to listen on all its interfaces.")
    return RoundtableError(f"Cannot listen on {where} port {port}: {exc.strerror or exc}.")


async def _serve(server, announce) -> None:
    from aiohttp import web

    app = await server._make_app()
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=SHUTDOWN_GRACE)
    await runner.setup()
    host = server.host or None
    try:
        site = web.TCPSite(runner, host=host, port=server.port)
        try:
            await site.start()
        except OSError as exc:
            raise _bind_error(exc, server.host, server.port) from None
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):  # pragma: no cover (Windows)
                pass
        announce()
        await stop.wait()
    finally:
        await runner.cleanup()


def serve_command(argv: list[str], *, host: str, port: int, public_url: str, title: str,
                  announce=lambda: None) -> int:
    """Serve the program `argv` (one process per browser) until Ctrl+C or SIGTERM; returns 0.

    `announce` is called once the port is bound. Bind failures raise RoundtableError.
    """
    logging.basicConfig(level=logging.WARNING, format="%(message)s", stream=sys.stderr)
    logging.getLogger("aiohttp.access").setLevel(logging.ERROR)
    server = _make_server_class()(shell_command(argv), host=host, port=port, title=title, public_url=public_url)
    try:
        asyncio.run(_serve(server, announce))
    except KeyboardInterrupt:  # a second Ctrl+C while shutting down
        pass
    return 0


def _qr_block(url: str) -> str:
    from .qr import qr_text

    text = qr_text(url)
    if sys.stdout.isatty():
        # force light-on-dark so phone cameras read it on any terminal colour scheme
        text = "\n".join(f"\x1b[97;40m{line}\x1b[0m" for line in text.splitlines())
    return text


def run_server(svc: SessionService, *, target: str, host: str, port: int, public_url: str | None) -> int:
    """`roundtable serve` and `roundtable present --serve`."""
    argv = app_argv(svc, target)
    if not 0 < port < 65536:
        raise RoundtableError(f"Port {port} is not a port number; choose one between 1024 and 65535.")
    url, warning = resolve_public_url(host, port, public_url)
    info = svc.info()
    join_code = svc.join_code()

    def announce() -> None:
        # Only once the port is ours: a second server that failed to start must not
        # overwrite the address the first one announced.
        if target == "join":
            svc.set_join_url(url)
        # The app processes open the session themselves; this one only serves.
        svc.close()
        lines = [f"roundtable — {info.title}"]
        if target == "join":
            lines += [f"Join at:    {url}", f"Join code:  {join_code}", "", _qr_block(url), ""]
            lines.append("Participants open the address (or scan the code), then enter the join code "
                         "and their own voting code.")
        else:
            lines += [f"Projector view at:  {url}", "", _qr_block(url), "",
                      "Open the address in the browser on the projector laptop (full screen: F11)."]
        lines.append("Press Ctrl+C to stop serving.")
        if warning:
            print(warning, file=sys.stderr, flush=True)
        print("\n".join(lines), flush=True)

    return serve_command(argv, host=host, port=port, public_url=url,
                         title=f"roundtable — {info.title}", announce=announce)
