#!/usr/bin/env python3
"""One JSON-RPC call with the dev token: rpc.py PORT METHOD [PARAMS-JSON]; prints the result, exit 1 on an error."""
import json
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from crash_anywhere import RPCError, call  # noqa: E402

try:
    print(json.dumps(call(int(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3]) if len(sys.argv) > 3 else {})))
except RPCError as error:
    print(json.dumps(error.error), file=sys.stderr)
    sys.exit(1)
