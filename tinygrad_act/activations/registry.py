"""The activation registry: ActivationSpec (every fact about one activation), register_activation and
the handle it returns, get_activation and list_activations, and the hook through which higher
layers (F, nn) grow and drop an entry per activation.

A backward rule is `backward(x, y, grad_output, **params) -> grad_input`, written with numpy; `x`
is the input and `y` the output, each given only when `saves` asks for it ("input", "output",
"both" or "none"), so the graph keeps only what the derivative needs.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autograd import Function, apply
from ..tensor import Tensor

INF = math.inf
INIT_FAMILIES = ("kaiming", "lecun", "xavier")
_SAVES = ("input", "output", "both", "none")


def _check_saves(name: str, saves: str) -> None:
    if saves not in _SAVES:
        raise ValueError(f"{name}: saves must be input, output, both or none, got {saves!r}")


@dataclass(frozen=True)
class ActivationSpec:
    """One registered activation: its rules, its keyword parameters and what we know about it.

    Any fact (output_range, zero_centred, monotonic, saturating, max_derivative, kinks) may be a
    callable of the parameters (leaky_relu's largest slope is max(1, negative_slope)); read them with
    `fact(name, params)`, or `range_for(params)` / `max_derivative_for(params)` / `kinks_for(params)`.

    - `torch_class`: the name of PyTorch's class in torch.nn ("LeakyReLU"), None where it has none;
    - `init_family`: the weight initialisation that suits it, "kaiming" (the ReLU family), "lecun"
      (SELU) or "xavier" (near-linear around 0), which `nn.MLP(init="auto")` picks;
    - `kinks`: the inputs where f' jumps (relu's 0), which a finite-difference check must avoid;
    - `learnable`: the activation has a learned parameter, so it exists only as a layer
      (`torch_class` names it in nn, as nn.PReLU); its rules give f at the parameter's initial value.
    """

    name: str
    forward: Callable[..., np.ndarray]
    backward: Callable[..., np.ndarray]
    params: dict[str, Any] = field(default_factory=dict)
    saves: str = "input"
    formula: str = ""
    derivative: str = ""
    output_range: Any = (-INF, INF)
    zero_centred: Any = None
    monotonic: Any = None
    saturating: Any = None
    max_derivative: Any = None
    note: str = ""
    elementwise: bool = True
    torch_class: str | None = None
    init_family: str = "xavier"
    kinks: Any = ()
    learnable: bool = False
    node_class: type[ActivationFunction] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_saves(self.name, self.saves)
        if self.init_family not in INIT_FAMILIES:
            raise ValueError(
                f"{self.name}: init_family must be one of {', '.join(INIT_FAMILIES)}, got {self.init_family!r}"
            )
        # Each activation gets its own node class holding the spec, so applying one passes nothing
        # but the input (and the parameters when they differ from the defaults).
        node_class = type(self.name, (ActivationFunction,), {
            "__slots__": (), "spec": self, "rule": staticmethod(self.forward), "rule_backward": staticmethod(self.backward),
            "saves_input": self.saves in ("input", "both"), "saves_output": self.saves in ("output", "both")})
        object.__setattr__(self, "node_class", node_class)

    def bind(self, args: tuple, kwargs: dict) -> dict[str, Any]:
        """Match positional and keyword arguments to this activation's parameters, with defaults."""
        names = list(self.params)
        if len(args) > len(names):
            raise TypeError(
                f"{self.name}() takes {len(names)} parameter(s) ({', '.join(names) or 'none'}), "
                f"got {len(args)} positional"
            )
        bound = dict(self.params)
        bound.update(zip(names, args))
        for key, value in kwargs.items():
            if key not in bound:
                raise TypeError(
                    f"{self.name}() got an unexpected parameter {key!r}; its parameters are: "
                    f"{', '.join(names) or 'none'}"
                )
            bound[key] = value
        return bound

    def apply(self, x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        """f(x) as a graph node, parameters given positionally or by keyword: `spec.apply(x, 0.2)`.

        The one path behind F.<name>, Tensor.<name> and nn.Activation; without parameters the
        node runs on the defaults and nothing is bound (the hot path of training).
        """
        if args or kwargs:
            return apply(self.node_class, x, self.bind(args, kwargs))
        return apply(self.node_class, x)

    __call__ = apply

    def label(self, params: dict[str, Any]) -> str:
        """The name with the parameters that differ from the defaults: `leaky_relu(0.2)`."""
        changed = [repr(value) if isinstance(value, str) else f"{value:g}"
                   for key, value in params.items() if value != self.params[key]]
        return f"{self.name}({', '.join(changed)})" if changed else self.name

    def fact(self, name: str, params: dict[str, Any] | None = None) -> Any:
        """The metadata field `name` for these parameters (defaults for the missing ones)."""
        rule = getattr(self, name)
        return rule(self.bind((), params or {})) if callable(rule) else rule

    def range_for(self, params: dict[str, Any] | None = None) -> tuple[float, float]:
        """(lowest, highest) output for these parameters."""
        return self.fact("output_range", params)

    def max_derivative_for(self, params: dict[str, Any] | None = None) -> float | None:
        """The largest |f'(x)| for these parameters (None where not declared, as for softmax)."""
        return self.fact("max_derivative", params)

    def kinks_for(self, params: dict[str, Any] | None = None) -> tuple[float, ...]:
        """The inputs where f' jumps, for these parameters (hardtanh's min_val and max_val)."""
        return tuple(self.fact("kinks", params))

    @property
    def class_name(self) -> str:
        """The nn class name: PyTorch's where it has one, else the name in CamelCase (nn.Arctan)."""
        return self.torch_class or "".join(part.title() for part in self.name.split("_"))

    def signature(self, first: str) -> inspect.Signature:
        """`(first, param=default, ...)`: what F.<name> (first="input") and Tensor.<name>
        (first="self") accept."""
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        return inspect.Signature([inspect.Parameter(first, kind)]
                                 + [inspect.Parameter(key, kind, default=value) for key, value in self.params.items()])

    def facts_text(self) -> dict[str, str]:
        """The facts at the default parameters as the docstrings and `tinygrad-act activations` show
        them: range, zero-centred, monotonic, saturating (yes, no or n/a) and the largest |f'|."""
        low, high = self.range_for()
        flags = {fact.replace("_", "-"): "n/a" if self.fact(fact) is None else ("yes" if self.fact(fact) else "no")
                 for fact in ("zero_centred", "monotonic", "saturating")}
        slope = self.max_derivative_for()
        return {"range": f"{_number(low)} .. {_number(high)}", **flags, "max f'": "n/a" if slope is None else _number(slope)}

    def describe(self) -> str:
        """The docstring of every generated surface: formula, derivative, note and facts."""
        lines = [f"{self.name}: {self.formula}", "", f"f'(x): {self.derivative}"]
        if self.note:
            lines += ["", self.note[0].upper() + self.note[1:] + "."]
        lines += ["", "; ".join(f"{name}: {value}" for name, value in self.facts_text().items()) + "."]
        if self.params:
            lines += ["", "Parameters: " + ", ".join(f"{key}={value!r}" for key, value in self.params.items()) + "."]
        return "\n".join(lines)


def _number(value: float) -> str:
    return ("inf" if value > 0 else "-inf") if math.isinf(value) else f"{value:.4g}"


class ActivationFunction(Function):
    """The graph node of a registered activation: runs its spec's forward and backward rules."""

    __slots__ = ("params",)  # kept after backward, so a drawn graph still names the node
    # Set per activation (ActivationSpec makes a subclass for each): the spec, its two rules as
    # plain functions, and what its backward rule needs; the hot path reads nothing else.
    spec: ActivationSpec
    rule: Callable[..., np.ndarray]
    rule_backward: Callable[..., np.ndarray]
    saves_input: bool
    saves_output: bool
    x = y = None  # what the backward rule gets for a value the spec does not save

    def forward(self, x: np.ndarray, params: dict | None = None) -> np.ndarray:
        self.params = params = self.spec.params if params is None else params
        y = self.rule(x, **params) if params else self.rule(x)
        if self.saves_input:
            self.x = x
        if self.saves_output:
            self.y = y
        return y

    def backward(self, grad_output: np.ndarray) -> np.ndarray:
        params = self.params
        if params:
            return self.rule_backward(self.x, self.y, grad_output, **params)
        return self.rule_backward(self.x, self.y, grad_output)

    @property
    def name(self) -> str:
        return self.spec.label(self.params)


def generated_function(spec: ActivationSpec, first: str) -> Callable[..., Tensor]:
    """`spec.apply` as a named function with the activation's signature and docstring: F.<name>
    (first="input") or the Tensor method (first="self")."""
    spec_apply, node_class = spec.apply, spec.node_class

    def activation(x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if args or kwargs:
            return spec_apply(x, *args, **kwargs)
        return apply(node_class, x)  # spec.apply's default case, one call less on the hot path

    activation.__name__ = activation.__qualname__ = spec.name
    activation.__doc__ = spec.describe()
    activation.__signature__ = spec.signature(first)
    return activation


# ====================================================================== registering

Undo = Callable[[], None]
Listener = Callable[[ActivationSpec], "Undo | None"]

_REGISTRY: dict[str, ActivationSpec] = {}
_UNDO: dict[str, list[Undo]] = {}  # per name, what removes each surface its registration added
_listeners: list[Listener] = []


class Registration:
    """What register_activation returns: the registered activation, which reads as its spec
    (`swish.formula`), applies like F.<name> (`swish(x, beta=2)`), and can be taken back with
    `remove()`."""

    __slots__ = ("spec",)

    def __init__(self, spec: ActivationSpec) -> None:
        self.spec = spec

    def __call__(self, x: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return self.spec.apply(x, *args, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.spec, attribute)

    def remove(self) -> None:
        """Undo the registration everywhere: the registry (so every `--activation` refuses the
        name), F.<name>, Tensor.<name> and the nn class. A name redefined since (replace=True)
        belongs to its new registration and is left alone; removing twice does nothing."""
        if _REGISTRY.get(self.spec.name) is self.spec:
            _uninstall(self.spec.name)

    def __repr__(self) -> str:
        return f"<registered activation {self.spec.name!r}>"


def register_activation(
    name: str | None = None,
    forward: Callable | None = None,
    *,
    backward: Callable | None = None,
    params: dict[str, Any] | None = None,
    saves: str = "input",
    replace: bool = False,
    **facts: Any,
) -> Any:
    """Register an activation from its forward and backward rules (or decorate its forward rule).

    `register_activation("name", forward_fn, backward=..., ...)` registers and returns a
    Registration; `@register_activation(backward=...)` above `def name(x, beta=1.0)` does the same
    and takes the name from the function. The parameters are `params` (name -> default) or, when
    not given, the forward rule's own keyword parameters with their defaults. The activation is then
    `F.name`, `Tensor.name`, `nn.Activation("name")` and an nn class, and appears in the CLI, plots
    and tables; `.remove()` on the result undoes all of it. `facts` are the metadata fields of
    ActivationSpec (formula, derivative, output_range, zero_centred, monotonic, saturating,
    max_derivative, note, elementwise, torch_class, init_family, kinks, learnable).
    """
    if backward is None:  # also the bare `@register_activation`, which cannot carry a backward rule
        raise TypeError("register_activation: give the backward rule: @register_activation(backward=...)")
    _check_saves("register_activation", saves)  # before the decorated function is known

    def register(forward_fn: Callable) -> Registration:
        spec_name = name or forward_fn.__name__
        if not spec_name.isidentifier():
            raise ValueError(
                f"register_activation: {spec_name!r} is not a Python identifier, so it cannot be F.{spec_name}"
            )
        if spec_name not in _REGISTRY and hasattr(Tensor, spec_name):
            raise ValueError(
                f"register_activation: {spec_name!r} would replace the Tensor method Tensor.{spec_name}; "
                "choose another name"
            )
        if spec_name in _REGISTRY and not replace:
            raise ValueError(
                f"register_activation: {spec_name!r} is already registered; pass replace=True to redefine it"
            )
        spec = ActivationSpec(spec_name, forward_fn, backward, _declared_parameters(spec_name, forward_fn, params),
                              saves, **facts)
        previous = _REGISTRY.get(spec_name)
        if previous is not None:
            _uninstall(spec_name)
        try:
            _install(spec)
        except Exception:
            if previous is not None:  # a refused redefinition leaves the old one in place
                _install(previous)
            raise
        return Registration(spec)

    if forward is not None:
        return register(forward)
    return register


def _declared_parameters(name: str, forward: Callable, params: dict[str, Any] | None) -> dict[str, Any]:
    """`params` when given; else the forward rule's keyword parameters after x, with their defaults
    (`def swish(x, beta=1.0)`), so a user states them once."""
    if params is not None:
        return dict(params)
    if not inspect.isfunction(forward):  # a ufunc such as np.tanh has no parameters of its own
        return {}
    declared = list(inspect.signature(forward).parameters.values())[1:]
    named = [parameter for parameter in declared
             if parameter.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)]
    missing = [parameter.name for parameter in named if parameter.default is inspect.Parameter.empty]
    if missing:
        raise TypeError(
            f"register_activation: {name}'s parameter(s) {', '.join(missing)} have no default; write "
            f"def {name}(x, {missing[0]}=...) or pass params={{{missing[0]!r}: ...}}"
        )
    return {parameter.name: parameter.default for parameter in named}


def _add_tensor_method(spec: ActivationSpec) -> Undo | None:
    if spec.learnable:  # its parameter lives in a layer: there is no method to call it with
        return None
    setattr(Tensor, spec.name, generated_function(spec, "self"))
    return lambda: delattr(Tensor, spec.name)


def _install(spec: ActivationSpec) -> None:
    """Add `spec` to the registry and every surface; if a surface refuses it (a name already taken
    in F), undo the ones added so far, so a refused name leaves no trace."""
    undos: list[Undo] = []
    try:
        for listener in (_add_tensor_method, *_listeners):
            undo = listener(spec)
            if undo is not None:
                undos.append(undo)
    except Exception:
        for undo in reversed(undos):
            undo()
        raise
    _REGISTRY[spec.name] = spec
    _UNDO[spec.name] = undos


def _uninstall(name: str) -> None:
    for undo in reversed(_UNDO.pop(name)):
        undo()
    del _REGISTRY[name]


def get_activation(name: str) -> ActivationSpec:
    """The registered activation called `name`; the error lists every valid name."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; registered: {', '.join(_REGISTRY)}") from None


def list_activations(learnable: bool = False) -> list[str]:
    """The names of the registered activations that apply as functions (F.<name>), in registration
    order; `learnable=True` adds those with a learned parameter, which exist only as layers (prelu)."""
    return [name for name, spec in _REGISTRY.items() if learnable or not spec.learnable]


def on_register(listener: Listener) -> None:
    """Call `listener(spec)` for every activation registered so far and from now on; what it
    returns (a function of no arguments, or None) undoes its work when the activation is removed.

    This is how higher layers (functional, nn) grow an entry per activation without this module
    importing them.
    """
    _listeners.append(listener)
    for name, spec in _REGISTRY.items():
        undo = listener(spec)
        if undo is not None:
            _UNDO[name].append(undo)
