#!/usr/bin/env python3
"""Prints the failed tests of the .trx files under a directory: name, duration, and the head of message and stack.

`./shopstream test` calls it after `dotnet test` fails, so that the end of the output (what CI keeps) names the
failures instead of burying them among thousands of lines of passing tests and silo logs."""
import pathlib
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def head(text, lines):
    parts = (text or "").strip().splitlines()
    more = f"\n      ... ({len(parts) - lines} more lines)" if len(parts) > lines else ""
    return "\n".join("      " + p for p in parts[:lines]) + more


def main(root):
    failed = 0
    for trx in sorted(pathlib.Path(root).rglob("*.trx")):
        for result in ET.parse(trx).getroot().iterfind(".//t:UnitTestResult", NS):
            if result.get("outcome") != "Failed":
                continue
            failed += 1
            print(f"FAILED {result.get('testName')} ({result.get('duration')}) in {trx.name}")
            message = result.find(".//t:ErrorInfo/t:Message", NS)
            stack = result.find(".//t:ErrorInfo/t:StackTrace", NS)
            print("    message:\n" + head(message.text if message is not None else "", 25))
            print("    stack:\n" + head(stack.text if stack is not None else "", 12))
    print(f"test-failures: {failed} failed test(s) in {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".run/test-results"))
