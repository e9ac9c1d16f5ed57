"""Verifies deliveries captured from @sigil/webhooks with the Python reference.

Reads {"secrets": [...], "deliveries": [{"headers": [[name, value]], "body": base64}]}
on stdin; prints one JSON line per delivery: {"ok": true, "id": ...} or {"ok": false, "code": ...}.
"""
import base64
import json
import sys
import time

from sigil.webhooks import WebhookError, verify

data = json.load(sys.stdin)
for delivery in data["deliveries"]:
    headers = [(name, value) for name, value in delivery["headers"]]
    body = base64.b64decode(delivery["body"])
    try:
        verified = verify("standard-webhooks", headers, body, data["secrets"], int(time.time()))
        print(json.dumps({"ok": True, "id": verified.message_id, "secret_index": verified.secret_index}))
    except WebhookError as error:
        print(json.dumps({"ok": False, "code": error.code}))
