"""The README's result tables are what the commands print: each command shown under "What it shows"
is run in full with --markdown, and every table of its README section must match the command's
table with the same headers.

Seeded results still depend on the BLAS kernel (a float32 matmul rounds differently on another
CPU), so numbers are compared with a tolerance: 2% relative or 0.01 absolute, whichever is
larger; exact things (names, settings, "-") must be equal; timings ("seconds") are not compared.
The slowest commands (`dying-relu`, about 65 s, and `dying-relu --born-dead`, about 75 s, on the
project's 2-core machine) are left out so the whole check stays near two minutes.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from tinygrad_act.cli import main

README = Path(__file__).resolve().parent.parent / "README.md"
RELATIVE, ABSOLUTE = 0.02, 0.01
TIMING_HEADERS = {"seconds"}
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?", re.IGNORECASE)
# The commands whose tables are checked, with the time of a full run on the project's machine.
COMMANDS = {"xor --compare": 20, "vanishing": 22, "selu": 3, "speed": 42, "activations": 2}

WITHOUT_OUT_DIR = {"activations", "xor"}  # commands that draw no figure into a folder

Table = list[list[str]]


def markdown_tables(text: str) -> list[Table]:
    """Every Markdown table of `text`, as rows of stripped cell texts (header row first, the
    |---| rule left out; escaped pipes kept inside their cell)."""
    tables: list[Table] = []
    current: Table = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [cell.strip().replace(r"\|", "|") for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            if not all(set(cell) <= {"-", ":"} for cell in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def readme_section(command: str) -> str:
    """The README text from the line that shows `tinygrad-act <command>` to the next heading."""
    text = README.read_text(encoding="utf-8")
    start = re.search(rf"`tinygrad-act {re.escape(command)}[` ]", text).start()
    end = text.find("\n#", start)
    return text[start:end if end != -1 else len(text)]


def cells_agree(expected: str, actual: str) -> bool:
    """Equal texts, or texts equal once their numbers are taken out whose numbers agree within
    the tolerance ("yes (1.62)" and "yes (1.63)"; "1.11e-06" and "1.12e-06")."""
    if expected == actual:
        return True
    if NUMBER.sub("#", expected) != NUMBER.sub("#", actual):
        return False
    pairs = zip(NUMBER.findall(expected), NUMBER.findall(actual))
    return all(math.isclose(float(a), float(b), rel_tol=RELATIVE, abs_tol=ABSOLUTE) for a, b in pairs)


def mismatches(readme_table: Table, printed_table: Table) -> list[str]:
    """Where a README table differs from the printed one: "row 'relu', column 'solved': 8/10 != 9/10"."""
    headers = readme_table[0]
    if len(printed_table) != len(readme_table):
        return [f"{len(readme_table) - 1} rows in the README, {len(printed_table) - 1} printed"]
    found = []
    for expected_row, actual_row in zip(readme_table[1:], printed_table[1:]):
        for header, expected, actual in zip(headers, expected_row, actual_row):
            if header not in TIMING_HEADERS and not cells_agree(expected, actual):
                found.append(f"row {expected_row[0]!r}, column {header!r}: README {expected} != printed {actual}")
    return found


def test_tables_are_parsed_with_escaped_pipes_and_without_the_rule() -> None:
    text = "intro\n| a | b |\n|---|---|\n| 1 | $\\|x\\|$ |\n\nafter"
    assert markdown_tables(text) == [[["a", "b"], ["1", "$|x|$"]]]


def test_numbers_agree_within_the_tolerance_and_texts_exactly() -> None:
    assert cells_agree("yes (1.62)", "yes (1.63)")
    assert cells_agree("1.11e-06", "1.12e-06")
    assert cells_agree("0.00", "0.005")
    assert not cells_agree("0.50", "0.56")
    assert not cells_agree("yes (1.62)", "no (1.62)")
    assert not cells_agree("xavier_uniform", "kaiming_normal")


ON_MNIST = {"vanishing", "speed"}  # the commands that train on the real MNIST files


@pytest.mark.slow
@pytest.mark.parametrize("command", [
    pytest.param(command, marks=pytest.mark.needs_mnist) if command in ON_MNIST else command for command in COMMANDS
])
def test_readme_tables_match_what_the_command_prints(command: str, capsys, monkeypatch, tmp_path) -> None:
    readme_tables = markdown_tables(readme_section(command))
    assert readme_tables, f"no table under `tinygrad-act {command}` in the README"
    arguments = command.split() + ["--markdown"]
    if command.split()[0] not in WITHOUT_OUT_DIR:
        arguments += ["--out-dir", str(tmp_path)]
    assert main(arguments) == 0
    printed = {tuple(table[0]): table for table in markdown_tables(capsys.readouterr().out)}
    problems = []
    for table in readme_tables:
        if tuple(table[0]) not in printed:
            problems.append(f"no printed table has the headers {table[0]}")
        else:
            problems += mismatches(table, printed[tuple(table[0])])
    assert not problems, f"README out of date for `tinygrad-act {command}`:\n" + "\n".join(problems)
