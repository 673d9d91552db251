"""The offline engine: runs a Pulumi program under strict, recording mocks and returns its Plan.

The program is the real one (`inferstack.infra.program.build`); only the cloud is replaced, by the table in
`mock_table.py`. Resources register from several threads at once, so recording is locked; the stock
mock monitor accepts a URN twice, ours refuses.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

from inferstack.infra.offline.mock_table import MockedResource, MockTableError, mock_invoke, mock_resource
from inferstack.infra.offline.plan import SECRET, Plan, PlannedResource, ResourceOptions

Program = Callable[[], Mapping[str, Any] | None]
STACK_TYPE = "pulumi:pulumi:Stack"


class OfflineEngineError(RuntimeError):
    """The program could not be planned: a duplicate URN, a missing mock, or a failure inside the program."""


class _TableMocks(pulumi.runtime.Mocks):
    """Answers invokes from the strict table; resources are answered by the monitor, which knows parents."""

    def __init__(self, errors: list[str], lock: threading.Lock, explicit_providers: bool = False) -> None:
        self._errors = errors
        self._lock = lock
        self.explicit_providers = explicit_providers
        # The monitor's recorded resources, by URN: an invoke's answer may depend on its provider's settings.
        self.recorded: Mapping[str, PlannedResource] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        """Never used: `_RecordingMonitor.RegisterResource` handles registrations itself."""
        raise OfflineEngineError(f"unexpected direct registration of {args.typ}")

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        """Answer one invoke from the table, recording a missing token as an error."""
        if self.explicit_providers and not args.provider:
            message = f"invoke {args.token} uses the default provider; pass InvokeOptions(provider=...)"
            with self._lock:
                self._errors.append(message)
            raise OfflineEngineError(message)
        provider = self.recorded.get(args.provider.rsplit("::", 1)[0]) if args.provider else None
        try:
            return mock_invoke(args.token, args.args, provider.inputs if provider else None), []
        except MockTableError as exc:
            with self._lock:
                self._errors.append(str(exc))
            raise


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """A mock monitor that records every registration with its parent and refuses duplicate URNs."""

    def __init__(self, mocks: _TableMocks, errors: list[str], lock: threading.Lock) -> None:
        super().__init__(mocks)
        self._mocks = mocks
        self.recorded: dict[str, PlannedResource] = {}
        self.stack_urn = ""
        # URN -> the URN it had before a rename (its alias, or its parent's carried down as the engine does).
        self.former: dict[str, str] = {}
        self._errors = errors
        self._lock = lock

    def RegisterResource(self, request: Any) -> Any:
        """Record the resource, answer from the table, and fail loudly on a duplicate or a missing mock."""
        urn = self.make_urn(request.parent, request.type, request.name)
        if request.type == STACK_TYPE:
            self.stack_urn = urn
            return resource_pb2.RegisterResourceResponse(urn=urn)
        _ensure_event_loop()
        inputs = rpc.deserialize_properties(request.object)
        custom = bool(request.custom)
        if self._mocks.explicit_providers and custom and not request.provider and not is_provider(request.type):
            # `pulumi up` would hand this resource the default provider, configured from ambient settings.
            self._fail(f"{request.type} {request.name!r} uses the default provider; give it an explicit one")
            raise OfflineEngineError(self._errors[-1])
        # A renamed resource keeps its state (id and outputs) in a real deploy: mock it as its former self.
        former = self._former_urn(request)
        with self._lock:
            if former != urn:
                self.former[urn] = former
        try:
            provider = self.recorded.get(request.provider.rsplit("::", 1)[0]) if request.provider else None
            mocked = MockedResource(request.type, request.name, former, inputs, provider.inputs if provider else {})
            resource_id, state = mock_resource(mocked, custom)
        except MockTableError as exc:
            self._fail(str(exc))
            raise
        with self._lock:
            if urn in self.recorded:
                message = f"duplicate URN {urn}: two resources named {request.name!r} of type {request.type}"
                self._errors.append(message)
                raise OfflineEngineError(message)
            parent = request.parent if request.parent and request.parent != self.stack_urn else None
            self.recorded[urn] = PlannedResource(
                urn=urn,
                type=request.type,
                name=request.name,
                parent=parent,
                custom=custom,
                id=resource_id or None,
                inputs=to_plain(inputs),
                provider=request.provider or None,
                aliases=_aliases(request),
                protect=bool(request.protect),
                options=_options(request),
            )
            self.resources[urn] = pulumi_mocks.MockMonitor.ResourceRegistration(urn, resource_id, state)
        state_proto = _sync_await(rpc.serialize_properties(state, {}))
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=state_proto)

    def _former_urn(self, request: Any) -> str:
        """The URN the resource had before any rename its aliases (or its parent's) describe."""
        parent: str = request.parent
        for alias in request.aliases:
            if alias.urn:
                return alias.urn
            spec = alias.spec
            old_parent: str = "" if spec.noParent else spec.parentUrn or self.former.get(parent, parent)
            return self.make_urn(old_parent, spec.type or request.type, spec.name or request.name)
        if parent in self.former:
            old_parent = self.former[parent]
            name = request.name
            parent_name, old_name = parent.rsplit("::", 1)[1], old_parent.rsplit("::", 1)[1]
            if name.startswith(parent_name):
                name = old_name + name[len(parent_name) :]
            return self.make_urn(old_parent, request.type, name)
        return self.make_urn(parent, request.type, request.name)

    def ReadResource(self, request: Any) -> Any:
        """Reading existing cloud resources is not something the offline engine can answer."""
        message = f"the program reads an existing {request.type} ({request.name!r}); offline plans cannot"
        self._fail(message)
        raise OfflineEngineError(message)

    def _fail(self, message: str) -> None:
        with self._lock:
            self._errors.append(message)


def is_provider(type_token: str) -> bool:
    """Whether a type token names a provider resource (`pulumi:providers:<package>`)."""
    return type_token.startswith("pulumi:providers:")


def _options(request: Any) -> ResourceOptions:
    """The registration's resource options as plain data (sorted where the SDK's order is not meaningful)."""
    timeouts = request.customTimeouts
    return ResourceOptions(
        dependencies=tuple(sorted(set(request.dependencies))),
        property_dependencies={
            key: tuple(sorted(set(value.urns))) for key, value in sorted(request.propertyDependencies.items())
        },
        # The SDK sends False both when the option is unset and when it is False; the flag tells them apart.
        delete_before_replace=bool(request.deleteBeforeReplace) if request.deleteBeforeReplaceDefined else None,
        ignore_changes=tuple(request.ignoreChanges),
        replace_on_changes=tuple(request.replaceOnChanges),
        additional_secret_outputs=tuple(request.additionalSecretOutputs),
        custom_timeouts={key: value for key in ("create", "update", "delete") if (value := getattr(timeouts, key))},
        retain_on_delete=bool(request.retainOnDelete),
        deleted_with=request.deletedWith or None,
        version=request.version or None,
        plugin_download_url=request.pluginDownloadURL or None,
    )


def _aliases(request: Any) -> tuple[dict[str, Any], ...]:
    """The resource's aliases as plain data: {"urn": …} or {"name", "type", "parentUrn", "noParent"}."""
    found: list[dict[str, Any]] = [{"urn": urn} for urn in request.aliasURNs]
    for alias in request.aliases:
        if alias.urn:
            found.append({"urn": alias.urn})
        else:
            spec = alias.spec
            entry = {"name": spec.name, "type": spec.type, "parentUrn": spec.parentUrn, "noParent": spec.noParent}
            found.append({key: value for key, value in entry.items() if value})
    return tuple(found)


def to_plain(value: Any) -> Any:
    """Turn deserialized engine values into JSON-ready data, writing every secret as "[secret]"."""
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return _masked(value.get("value"))
        return {str(key): to_plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(item) for item in value]
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, pulumi.Resource):
        return f"<resource {type(value).__name__}>"
    return str(value)


def _masked(value: Any) -> Any:
    # The SDK lifts a secret nested in a map to the whole map (a Kubernetes Secret's stringData): keep the
    # shape, so a manifest rebuilt from the plan stays valid, and write every leaf as "[secret]".
    if isinstance(value, dict) and value.get(rpc._special_sig_key) is None:
        return {str(key): _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    return SECRET


async def _resolve(value: Any) -> Any:
    output = pulumi.Output.from_input(value)
    if await output.is_secret():
        return SECRET
    resolved = await output.future()
    return to_plain(resolved)


def _quiet_known_failures(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    # A failed registration leaves output futures nobody awaits; asyncio would print each one with a
    # traceback at garbage collection. The failure itself is reported once, with its cause.
    if isinstance(context.get("exception"), OfflineEngineError | MockTableError):
        return
    loop.default_exception_handler(context)


def run_offline(
    program: Program,
    *,
    stack: str,
    project: str = "inferstack",
    config: Mapping[str, str] | None = None,
    secret_keys: Sequence[str] = (),
    explicit_providers: bool = False,
) -> Plan:
    """Run `program` under the strict mocks (preview off, so every check attached to an output runs).

    `config` is the stack configuration the program sees ("namespace:key" -> string value, objects as
    JSON); keys in `secret_keys` read back as secrets, as encrypted stack config does under `pulumi up`.
    With `explicit_providers`, a custom resource or an invoke that would get the default provider is an error
    (as under `pulumi:disable-default-providers: ["*"]`).
    """
    errors: list[str] = []
    lock = threading.Lock()
    mocks = _TableMocks(errors, lock, explicit_providers)
    monitor = _RecordingMonitor(mocks, errors, lock)
    mocks.recorded = monitor.recorded
    settings.reset_options(project=project, stack=stack)
    _ensure_event_loop().set_exception_handler(_quiet_known_failures)
    # Config is global to the SDK: always replace it, so one run never sees another's values.
    set_all_config(dict(config or {}), list(secret_keys))
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
    outputs: dict[str, Any] = {}

    async def main() -> None:
        exported = program() or {}
        for key, value in exported.items():
            outputs[key] = await _resolve(value)

    try:
        _sync_await(run_pulumi_func(main))
    except Exception as exc:
        detail = "\n  ".join(errors) if errors else f"{type(exc).__name__}: {exc}"
        raise OfflineEngineError(f"the program failed under the offline engine:\n  {detail}") from exc
    finally:
        settings.reset_options()
        set_all_config({}, [])
    if errors:
        raise OfflineEngineError("the program failed under the offline engine:\n  " + "\n  ".join(errors))
    resources = sorted(monitor.recorded.values(), key=lambda res: res.urn)
    return Plan(project=project, stack=stack, resources=resources, outputs=dict(sorted(outputs.items())))
