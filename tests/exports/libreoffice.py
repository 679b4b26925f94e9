"""Open workbooks with LibreOffice, as a clerk's desktop would, and read back each sheet as CSV.

LibreOffice is required, never skipped: CI (.ci/run) installs it, and a missing one fails the test.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

# Filter options: comma, double quote, UTF-8, from line 1, default formats, language, quoted text not
# as text, detect special numbers, save cells as shown, …, and -1 = every sheet to its own file.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
# A cold start of LibreOffice with a fresh profile takes a few seconds; a hung one is a failure.
CONVERT_TIMEOUT_SECONDS = 180


def libreoffice_sheets(workbooks: list[Path]) -> dict[Path, dict[str, list[list[str]]]]:
    """Convert ``workbooks`` in one LibreOffice run; return {workbook: {sheet title: rows}}.

    Fails the test when LibreOffice is missing, exits non-zero, reports an error, or writes no CSV
    for a workbook.
    """
    binary = shutil.which("libreoffice") or shutil.which("soffice")
    if binary is None:
        pytest.fail("libreoffice is not installed (CI installs libreoffice-calc-nogui in .ci/run)")
    with tempfile.TemporaryDirectory(prefix="jjx-lo-") as tmp:
        profile = Path(tmp) / "profile"
        out = Path(tmp) / "out"
        result = subprocess.run(
            [
                binary,
                "--headless",
                "--norestore",
                f"-env:UserInstallation={profile.as_uri()}",
                "--convert-to",
                CSV_FILTER,
                "--outdir",
                str(out),
                *[str(p) for p in workbooks],
            ],
            capture_output=True,
            text=True,
            timeout=CONVERT_TIMEOUT_SECONDS,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "Error" not in result.stdout + result.stderr.replace("javaldx", ""), (
            result.stdout + result.stderr
        )
        sheets: dict[Path, dict[str, list[list[str]]]] = {}
        for workbook in workbooks:
            found = {}
            for path in sorted(out.glob(f"{workbook.stem}-*.csv")):
                title = path.stem[len(workbook.stem) + 1 :]
                with path.open(encoding="utf-8", newline="") as handle:
                    found[title] = list(csv.reader(handle))
            assert found, f"LibreOffice wrote no sheet of {workbook.name}: {result.stdout} {result.stderr}"
            sheets[workbook] = found
        return sheets
