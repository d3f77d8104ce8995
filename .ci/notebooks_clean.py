"""Check (or with --fix, make) every notebook clean: no outputs, no
execution counts, no widget state. Exits 1 naming each dirty notebook."""

import argparse
import sys
from pathlib import Path

import nbformat


def problems(nb) -> list[str]:
    found = []
    for k, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            found.append(f"cell {k} has outputs")
        if cell.get("execution_count") is not None:
            found.append(f"cell {k} has an execution count")
    if "widgets" in nb.metadata:
        found.append("widget state in the notebook metadata")
    return found


def clean(nb) -> None:
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata.pop("widgets", None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--fix", action="store_true", help="clean the notebooks in place")
    args = parser.parse_args()
    paths = sorted(args.folder.glob("*.ipynb"))
    if not paths:
        print(f"no notebooks in {args.folder}")
        return 1
    dirty = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        found = problems(nb)
        if found and args.fix:
            clean(nb)
            nbformat.write(nb, path)
            print(f"cleaned {path}")
        elif found:
            dirty += 1
            print(f"DIRTY {path}: " + "; ".join(found))
    if not args.fix:
        print(f"{len(paths) - dirty} of {len(paths)} notebooks clean")
    return 1 if dirty else 0


if __name__ == "__main__":
    sys.exit(main())
