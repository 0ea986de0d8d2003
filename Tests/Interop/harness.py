"""Check registry, the per-check context and the runner.

A check is a function `def name(t)` decorated with @check(...). Its docstring's first line is the
question it answers (with the spec tag when it covers a normative statement). @check(V311, V5)
registers one check per protocol version, named `name_v311` and `name_v5`, and t.version tells the
function which one it is running as.
"""

import fnmatch
import os
import threading
import time
import traceback
from dataclasses import dataclass

import raw
from clients import V5, V311, CheckFailed, Client

CHECK_TIMEOUT = 45.0
RUN_NONCE = f"{os.getpid() % 10000:04d}{int(time.time()) % 10000:04d}"


class Skip(Exception):
    """The check cannot run against this broker (the message says why); counted as skipped."""


@dataclass
class CheckSpec:
    name: str  # e.g. qos1_roundtrip_v5
    base: str  # e.g. qos1_roundtrip
    area: str  # file stem, e.g. 03_publish_qos
    version: object  # V311, V5 or None
    function: object

    @property
    def question(self):
        doc = (self.function.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else self.name


REGISTRY = []
_current_area = [""]


def set_area(area):
    """Called by the loader before importing each check file."""
    _current_area[0] = area


def register(function, name, base, version=None):
    """Register a generated check (for families such as QoS x direction) under the current area."""
    REGISTRY.append(CheckSpec(name, base, _current_area[0], version, function))


def check(*versions):
    """Register a check, once per protocol version given (none: a version-independent check)."""

    def register(function):
        if not versions:
            REGISTRY.append(CheckSpec(function.__name__, function.__name__, _current_area[0], None, function))
        for version in versions:
            suffix = "v5" if version == V5 else "v311"
            REGISTRY.append(CheckSpec(f"{function.__name__}_{suffix}", function.__name__, _current_area[0],
                                      version, function))
        return function

    return register


def matches(spec, selector):
    """A selector names a check, a check without its version suffix, an area (`05_session` or `session`),
    or is a glob pattern over check names."""
    short_area = spec.area.split("_", 1)[-1]
    if selector in (spec.name, spec.base, spec.area, short_area):
        return True
    return fnmatch.fnmatchcase(spec.name, selector)


class Context:
    """What a check gets: the broker address, unique names, and clients that are cleaned up afterwards."""

    def __init__(self, spec, host, port):
        self.spec, self.name, self.version = spec, spec.name, spec.version
        self.host, self.port = host, port
        self._resources = []
        self._cleanups = []

    # unique names: the check name keeps them apart, the run nonce keeps runs against one broker apart
    def topic(self, suffix=""):
        return f"{self.name}-{RUN_NONCE}/{suffix}" if suffix else f"{self.name}-{RUN_NONCE}"

    def client_id(self, suffix=""):
        return f"{self.name}-{suffix}-{RUN_NONCE}" if suffix else f"{self.name}-{RUN_NONCE}"

    def client(self, suffix="c", version=None, connect=True, client_id=None, **kwargs):
        """A paho client (this check's version unless given), connected unless connect=False.
        The client id is derived from the check name and suffix unless client_id is given."""
        identifier = self.client_id(suffix) if client_id is None else client_id
        created = Client(self.host, self.port, identifier, version or self.version or V5, **kwargs)
        self._resources.append(created)
        if connect:
            created.connect()
        return created

    def discard_session_on_cleanup(self, suffix="c"):
        """After the check, connect once with a clean session so no persistent session is left behind."""

        def discard():
            leftover = Client(self.host, self.port, self.client_id(suffix), self.version or V5, clean=True)
            try:
                leftover.connect(timeout=2.0)
                leftover.disconnect(timeout=2.0)
            finally:
                leftover.close()

        self.on_cleanup(discard)

    def raw(self):
        created = raw.RawConnection(self.host, self.port)
        self._resources.append(created)
        return created

    def level(self):
        """The raw protocol level of this check's version."""
        return raw.PROTOCOL_LEVEL_5 if self.version == V5 else raw.PROTOCOL_LEVEL_311

    def on_cleanup(self, function):
        self._cleanups.append(function)

    def clear_retained_on_cleanup(self, *topics):
        """After the check, remove the retained messages it stored (empty retained payload)."""

        def clear():
            cleaner = Client(self.host, self.port, self.client_id("cleanup"), V311)
            try:
                cleaner.connect(timeout=2.0)
                for topic in topics:
                    cleaner.publish(topic, b"", qos=1, retain=True, timeout=2.0)
                cleaner.disconnect(timeout=2.0)
            finally:
                cleaner.close()

        self.on_cleanup(clear)

    def cleanup(self):
        """Close this check's connections first, then run the cleanups (which use fresh connections)."""
        for resource in reversed(self._resources):
            try:
                resource.close()
            except Exception:  # best effort: leftovers must not fail later checks
                pass
        for function in reversed(self._cleanups):
            try:
                function()
            except Exception:
                pass

    # assertions
    def expect(self, condition, message):
        if not condition:
            raise CheckFailed(message)

    def equal(self, actual, expected, what):
        if actual != expected:
            raise CheckFailed(f"{what}: expected {expected!r}, got {actual!r}")

    def fail(self, message):
        raise CheckFailed(message)

    def skip(self, message):
        raise Skip(message)


@dataclass
class Outcome:
    spec: CheckSpec
    status: str  # PASS, FAIL, SKIP
    reason: str
    seconds: float


def run_one(spec, host, port, verbose=False):
    """Run one check on a worker thread with an overall deadline, so a hang cannot stall the suite."""
    result = {}

    def body():
        context = Context(spec, host, port)
        try:
            spec.function(context)
            result["status"] = ("PASS", "")
        except Skip as skipped:
            result["status"] = ("SKIP", str(skipped))
        except CheckFailed as failed:
            result["status"] = ("FAIL", str(failed))
        except Exception as error:  # an unexpected exception is a failure with its location
            frames = traceback.extract_tb(error.__traceback__)
            where = f" at {os.path.basename(frames[-1].filename)}:{frames[-1].lineno}" if frames else ""
            result["status"] = ("FAIL", f"{type(error).__name__}: {error}{where}")
            if verbose:
                traceback.print_exc()
        finally:
            context.cleanup()

    started = time.monotonic()
    worker = threading.Thread(target=body, name=spec.name, daemon=True)
    worker.start()
    worker.join(CHECK_TIMEOUT)
    seconds = time.monotonic() - started
    if worker.is_alive():
        return Outcome(spec, "FAIL", f"did not finish within {CHECK_TIMEOUT:.0f} s", seconds)
    status, reason = result.get("status", ("FAIL", "check ended without a result"))
    return Outcome(spec, status, reason, seconds)


def select(specs, only, skip, skip_reasons):
    """Split the registry into (to run, skipped with reason)."""
    chosen, skipped = [], []
    for spec in specs:
        if only and not any(matches(spec, selector) for selector in only):
            continue
        reasons = [skip_reasons.get(selector, "skipped by --skip") for selector in skip if matches(spec, selector)]
        if reasons:
            skipped.append(Outcome(spec, "SKIP", reasons[0], 0.0))
        else:
            chosen.append(spec)
    return chosen, skipped

