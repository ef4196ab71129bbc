"""LaTeX to MathML for the formulas the activation registry declares, so a page renders them with
no network and no script (browsers draw MathML natively).

    to_mathml(r"\\sigma(x) = \\frac{1}{1 + e^{-x}}")   # '<math display="inline">...</math>'

It covers the subset the registry uses: \\frac, \\sqrt, ^ and _ (a token or a {group}), \\text
and \\mathrm, Greek letters (\\sigma, \\alpha, \\Phi, \\varphi, ...), named functions (\\tanh,
\\log, \\max, \\min, \\exp), \\partial, \\sum, \\le/\\ge, \\left/\\right, |x|, and the spaces \\, \\;
and \\ . An unknown command is shown as its name, so a user's formula always renders as something
readable rather than failing.
"""

from __future__ import annotations

import html
import re

GREEK = {
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "rho": "ρ",
    "sigma": "σ",
    "tau": "τ",
    "phi": "ϕ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
}
FUNCTIONS = (
    "tanh",
    "sinh",
    "cosh",
    "sin",
    "cos",
    "tan",
    "log",
    "ln",
    "exp",
    "max",
    "min",
    "arctan",
    "erf",
    "sign",
    "softplus",
)
OPERATORS = {
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "cdot": "·",
    "times": "×",
    "partial": "∂",
    "sum": "∑",
    "infty": "∞",
    "pm": "±",
    "to": "→",
    "neq": "≠",
    "approx": "≈",
    "cdots": "⋯",
    "ldots": "…",
}
SPACES = {",": "0.17em", ";": "0.28em", " ": "0.25em", "quad": "1em", "qquad": "2em", "!": "0em"}
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|(\d+(?:\.\d+)?)|([A-Za-z])|(\s+)|(.)", re.DOTALL)


def to_mathml(latex: str, display: bool = False) -> str:
    """The MathML `<math>` element for `latex` (inline unless `display`)."""
    tokens = [match for match in _TOKEN.finditer(latex) if not match.group(4)]
    parser = _Parser(tokens)
    body = parser.sequence()
    mode = "block" if display else "inline"
    return f'<math display="{mode}"><mrow>{body}</mrow></math>'


class _Parser:
    """Recursive descent over the tokens of one formula (formulas are short: a few dozen tokens)."""

    def __init__(self, tokens: list[re.Match]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> re.Match | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> re.Match:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def sequence(self, closing: str | None = None) -> str:
        """Atoms (with their scripts) until `closing` ("}") or the end; consumes the closing brace."""
        parts = []
        while (token := self.peek()) is not None:
            if closing is not None and token.group(5) == closing:
                self.take()
                break
            parts.append(self.scripted())
        return "".join(parts)

    def scripted(self) -> str:
        """One atom followed by an optional ^superscript and/or _subscript, in either order."""
        base = self.atom()
        scripts: dict[str, str] = {}
        while (
            (token := self.peek()) is not None
            and token.group(5) in ("^", "_")
            and token.group(5) not in scripts
        ):
            self.take()
            scripts[token.group(5)] = self.argument()
        if "^" in scripts and "_" in scripts:
            return f"<msubsup>{base}{scripts['_']}{scripts['^']}</msubsup>"
        if "^" in scripts:
            return f"<msup>{base}{scripts['^']}</msup>"
        if "_" in scripts:
            return f"<msub>{base}{scripts['_']}</msub>"
        return base

    def argument(self) -> str:
        """A {group} or a single atom, as one <mrow>."""
        token = self.peek()
        if token is None:
            return "<mrow></mrow>"
        if token.group(5) == "{":
            self.take()
            return f"<mrow>{self.sequence('}')}</mrow>"
        return f"<mrow>{self.atom()}</mrow>"

    def raw_group(self) -> str:
        """The literal text of a {group} (for \\text and \\mathrm), braces balanced."""
        if self.peek() is None or self.peek().group(5) != "{":
            return ""
        start = self.take().end()
        depth, end = 1, start
        while self.peek() is not None:
            token = self.take()
            depth += {"{": 1, "}": -1}.get(token.group(5) or "", 0)
            if depth == 0:
                end = token.start()
                break
        return self.tokens[0].string[start:end]

    def atom(self) -> str:
        token = self.take()
        command, number, letter, _, symbol = token.groups()
        if number is not None:
            return f"<mn>{number}</mn>"
        if letter is not None:
            return f"<mi>{letter}</mi>"
        if command is not None:
            return self.command(command)
        if symbol == "{":
            return f"<mrow>{self.sequence('}')}</mrow>"
        if symbol in ("(", ")", "[", "]", "|"):
            return f'<mo stretchy="false">{html.escape(symbol)}</mo>'
        if symbol == "'":
            return "<mo>′</mo>"
        return f"<mo>{html.escape(symbol)}</mo>" if symbol != "}" else ""

    def command(self, name: str) -> str:
        if name == "frac":
            numerator, denominator = self.argument(), self.argument()
            return f"<mfrac>{numerator}{denominator}</mfrac>"
        if name == "sqrt":
            return f"<msqrt>{self.argument()}</msqrt>"
        if name == "text":
            return f"<mtext>{html.escape(self.raw_group()).replace(' ', '&#160;')}</mtext>"
        if name == "mathrm":
            return f'<mi mathvariant="normal">{html.escape(self.raw_group())}</mi>'
        if name in ("left", "right"):
            delimiter = self.take().group(0)
            return "" if delimiter == "." else f"<mo>{html.escape(delimiter.lstrip(chr(92)))}</mo>"
        if name in GREEK:
            variant = ' mathvariant="normal"' if name[0].isupper() else ""
            return f"<mi{variant}>{GREEK[name]}</mi>"
        if name in FUNCTIONS:
            return f"<mi>{name}</mi><mo>&#8289;</mo>"  # the invisible "function application" operator
        if name in OPERATORS:
            return f"<mo>{OPERATORS[name]}</mo>"
        if name in SPACES:
            return f'<mspace width="{SPACES[name]}"></mspace>'
        if name in ("{", "}", "%", "$", "#", "&", "_"):
            return f"<mo>{html.escape(name)}</mo>"
        return f"<mi>{html.escape(name)}</mi>"
