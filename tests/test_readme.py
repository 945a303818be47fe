"""The README's usage example runs as written."""

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "README has no python example"
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})
    printed = capsys.readouterr().out
    assert "ae__n_components" in printed


def test_ci_runs_the_readme_test_command():
    ci = (README.parent / ".ci" / "run").read_text()
    commands = re.findall(r"```bash\n(.*?)\n```", README.read_text(), flags=re.S)
    assert len(commands) == 2
    assert commands[1] in ci and "pytest" in commands[1]
    assert "benchmarks/compare.py" in commands[0]


def test_readme_results_are_the_generated_ones():
    # every number in the README's results sections comes from benchmarks/results/
    sys.path.insert(0, str(README.parent / "benchmarks"))
    import readme_table

    text = README.read_text()
    assert readme_table.render(text) == text, "run python benchmarks/readme_table.py"
