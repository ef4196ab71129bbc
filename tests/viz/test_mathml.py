"""LaTeX to MathML (viz.mathml) for the registry's formulas: structure, escaping, and every
registered activation's formula and derivative converting without raw LaTeX left over."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from tinygrad_act.activations import get_activation, list_activations
from tinygrad_act.viz.mathml import to_mathml


def test_a_fraction_has_its_numerator_and_denominator():
    assert (
        "<mfrac><mrow><mn>1</mn></mrow><mrow><mn>1</mn><mo>+</mo><msup><mi>e</mi><mrow><mo>-</mo><mi>x</mi>"
        in to_mathml(r"\frac{1}{1 + e^{-x}}")
    )


def test_greek_letters_and_named_functions_are_symbols_not_commands():
    markup = to_mathml(r"\sigma(x) + \tanh(x) + \Phi(x) + \varphi + \lambda \alpha \beta")
    assert all(symbol in markup for symbol in ("σ", "<mi>tanh</mi>", "Φ", "φ", "λ", "α", "β"))
    assert "\\" not in markup


def test_text_keeps_its_spaces_and_is_escaped():
    assert "<mtext>&#160;if&#160;x&#160;&lt;&#160;0</mtext>" in to_mathml(r"\text{ if x < 0}")


def test_sub_and_superscripts_together():
    assert to_mathml("x_i^2") == to_mathml("x^2_i")
    assert "<msubsup><mi>x</mi><mrow><mi>i</mi></mrow><mrow><mn>2</mn></mrow></msubsup>" in to_mathml("x_i^2")


def test_sqrt_abs_and_partial():
    markup = to_mathml(r"\partial f / \partial x = \sqrt{|x|}")
    assert markup.count("∂") == 2 and "<msqrt>" in markup and markup.count('stretchy="false">|') == 2


def test_an_unknown_command_shows_its_name():
    assert "<mi>foo</mi>" in to_mathml(r"\foo(x)")


@pytest.mark.parametrize("name", list_activations())
def test_every_registered_formula_becomes_well_formed_mathml(name):
    spec = get_activation(name)
    for latex in (spec.formula, spec.derivative):
        if latex:
            markup = to_mathml(latex)
            ElementTree.fromstring(markup.replace("&#160;", " ").replace("&#8289;", ""))
            assert "\\" not in markup, latex
