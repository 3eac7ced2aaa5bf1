"""Schemathesis hooks for `tests/fuzz/api.py` (loaded through SCHEMATHESIS_HOOKS).

A well-formed `Idempotency-Key` is made unique per request. The fuzzer draws the same few keys
again and again ("0000000000000000"), and the API rightly answers a repeated create with its
first answer, naming a record that may have been deleted since; its stateful checks then read
that as a create whose record cannot be found. What a repeated key does is tested in
`tests/api/rest.rs`; malformed keys are left as drawn, so their refusal is still fuzzed.
"""
import re
import uuid

import schemathesis

WELL_FORMED = re.compile(r"[A-Za-z0-9_-]{16,64}")


@schemathesis.hook
def map_headers(ctx, headers):
    if headers:
        for name in list(headers):
            if name.lower() == "idempotency-key" and WELL_FORMED.fullmatch(str(headers[name])):
                headers[name] = uuid.uuid4().hex
    return headers
